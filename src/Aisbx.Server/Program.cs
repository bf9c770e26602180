namespace Aisbx.Server;

/// <summary>The entry point; a class (not static) so that WebApplicationFactory can name the assembly by it.</summary>
internal sealed class Program
{
    private Program()
    {
    }

    private static Task<int> Main(string[] args) => McpCommand.RunAsync(args);
}
