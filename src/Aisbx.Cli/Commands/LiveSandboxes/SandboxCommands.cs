using System.CommandLine;

namespace Aisbx.Cli.Commands.LiveSandboxes;

/// <summary>
/// <c>aisbx sandbox create|list|exec|logs|cp|rm</c>: clients of a running server (<c>aisbx-mcp --transport http</c>),
/// so that one live sandbox can be driven from a terminal, a script and an agent alike.
/// </summary>
internal static class SandboxCommands
{
    public static Command Create()
    {
        var server = new Option<string?>("--server")
        {
            Description = $"The aisbx server, e.g. http://127.0.0.1:8080 (default: ${ServerEndpoint.ServerVariable}); the API key is read from ${ServerEndpoint.KeyVariable}, never from a flag",
            Recursive = true,
        };

        return new Command("sandbox", "Live sandboxes on a running server (aisbx-mcp --transport http): create one, run commands in it, copy files in and out, close it")
        {
            server,
            SandboxCreateCommand.Create(server),
            SandboxListCommand.Create(server),
            SandboxExecCommand.Create(server),
            SandboxLogsCommand.Create(server),
            SandboxCopyCommand.Create(server),
            SandboxRemoveCommand.Create(server),
        };
    }

    /// <summary>A client of the server this command line names.</summary>
    public static SandboxClient Client(ParseResult parseResult, Option<string?> server) =>
        new(ServerEndpoint.Resolve(parseResult.GetValue(server)));
}
