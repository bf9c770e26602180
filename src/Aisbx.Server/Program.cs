namespace Aisbx.Server;

/// <summary>The entry point; a class (not static) so that WebApplicationFactory can name the assembly by it.</summary>
internal sealed class Program
{
    private Program()
    {
    }

    private static Task<int> Main(string[] args)
    {
        // Before anything opens a file: a closed 0, 1 or 2 must not be taken by one of the server's own descriptors.
        Sandbox.CallerDescriptors.Secure();
        return McpCommand.RunAsync(args);
    }
}
