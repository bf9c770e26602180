namespace Aisbx.Server;

internal static class Program
{
    private static Task<int> Main(string[] args) => McpCommand.RunAsync(args);
}
