using System.CommandLine;

namespace Aisbx.Cli.Commands.LiveSandboxes;

/// <summary><c>aisbx sandbox rm ID [ID...]</c>: closes each; one line per sandbox that could not be closed, and 125 if any.</summary>
internal static class SandboxRemoveCommand
{
    public static Command Create(Option<string?> server)
    {
        var ids = new Argument<string[]>("id") { Description = "The handles (sbx-…) of the sandboxes to close", Arity = ArgumentArity.OneOrMore };
        var rm = new Command("rm", "Close live sandboxes: their processes are killed and their workspaces removed") { ids };
        rm.SetAction(async (parseResult, cancellationToken) =>
        {
            using var client = SandboxCommands.Client(parseResult, server);
            var failed = 0;
            foreach (var id in parseResult.GetValue(ids) ?? [])
            {
                try
                {
                    await client.CloseAsync(id, cancellationToken);
                }
                catch (SandboxRefusal refusal) when (refusal.Status is not (null or 401) || refusal.Rule == "handle")
                {
                    // This sandbox's own answer: the others are still worth closing. No server, or a refused key, is one line, once.
                    Console.Error.WriteLine("aisbx: " + refusal.Message);
                    failed++;
                }
            }

            return failed == 0 ? 0 : Core.Runs.ExitCodes.OwnError;
        });
        return rm;
    }
}
