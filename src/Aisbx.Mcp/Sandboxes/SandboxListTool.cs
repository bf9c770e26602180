using System.Globalization;
using System.Text;
using System.Text.Json;
using Aisbx.Core.Runs;
using Aisbx.Core.Units;
using Aisbx.Service;
using ModelContextProtocol.Protocol;

namespace Aisbx.Mcp.Sandboxes;

/// <summary><c>aisbx-sandbox-list</c>: the caller's own live sandboxes, each with its processes and what it uses.</summary>
public sealed class SandboxListTool(ServiceContext context) : SandboxTool(
    context,
    "aisbx-sandbox-list",
    "list",
    "List your live sandboxes",
    "Lists your live sandboxes (those created with your key, or over this connection's server without keys): each " +
    "sandboxId with its profile, its processes (background ones with their processId, running or not), the memory, " +
    "CPU time and /workspace bytes it uses, how long it has been idle, and when it closes.",
    SandboxToolSchemas.ListInput,
    SandboxToolSchemas.ListOutput,
    new ToolHints(ReadOnly: true, Destructive: false, Idempotent: true, OpenWorld: false),
    "{}")
{
    protected override async Task<CallToolResult> CallAsync(CallerIdentity caller, IReadOnlyDictionary<string, JsonElement> arguments, CancellationToken cancellationToken)
    {
        if (arguments.Keys.FirstOrDefault() is { } unknown)
        {
            throw new ToolArgumentException($"unknown {Words.Noun} '{JsonFields.Printable(unknown)}': {Words.Taker} takes none");
        }

        var outcome = await Sandboxes.ListAsync(caller, cancellationToken).ConfigureAwait(false);
        return Answer(outcome, list => Answer(Describe(list), JsonSerializer.SerializeToElement(list, AisbxJsonContext.Default.SandboxList)));
    }

    private static string Describe(Core.Sandboxes.SandboxList list)
    {
        if (list.Sandboxes.IsEmpty)
        {
            return "no live sandboxes: create one with aisbx-sandbox-create";
        }

        var text = new StringBuilder();
        foreach (var sandbox in list.Sandboxes)
        {
            var running = sandbox.Processes.Count(p => p.Running);
            text.Append(CultureInfo.InvariantCulture,
                $"{sandbox.SandboxId} ({sandbox.Profile}): {sandbox.State}, {sandbox.Processes.Length} processes ({running} running), " +
                $"/workspace {sandbox.WorkspaceBytes} bytes of {ByteSize.Format(sandbox.WorkspaceLimitBytes)}, idle {sandbox.IdleForMs / 1000:0.#} s, closes by {sandbox.ExpiresAt:u}\n");
            foreach (var process in sandbox.Processes.Where(p => p.Background))
            {
                text.Append(CultureInfo.InvariantCulture,
                    $"  process {process.ProcessId}: {OneLine.Of(string.Join(' ', process.Command), 120)} ({(process.Running ? "running" : $"ended, exit code {process.ExitCode}")})\n");
            }
        }

        return text.ToString();
    }
}
