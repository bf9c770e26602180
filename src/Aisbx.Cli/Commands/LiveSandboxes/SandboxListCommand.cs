using System.CommandLine;
using System.Text.Json;
using Aisbx.Core.Runs;

namespace Aisbx.Cli.Commands.LiveSandboxes;

/// <summary><c>aisbx sandbox list [--json]</c>: the caller's own live sandboxes, as a table or the document.</summary>
internal static class SandboxListCommand
{
    public static Command Create(Option<string?> server)
    {
        var json = new Option<bool>("--json") { Description = "Print the document ({sandboxes: [...]}) instead of a table" };
        var list = new Command("list", "List your live sandboxes: id, profile, state, running processes, memory, idle time, time left") { json };
        list.SetAction(async (parseResult, cancellationToken) =>
        {
            using var client = SandboxCommands.Client(parseResult, server);
            var sandboxes = await client.ListAsync(cancellationToken);
            Console.Out.Write(parseResult.GetValue(json)
                ? JsonSerializer.Serialize(sandboxes, AisbxJsonContext.Default.SandboxList) + "\n"
                : SandboxTable.Render(sandboxes.Sandboxes, DateTimeOffset.UtcNow));
            return 0;
        });
        return list;
    }
}
