using System.Text.Json;
using Aisbx.Service;
using ModelContextProtocol.Protocol;

namespace Aisbx.Mcp.Sandboxes;

/// <summary><c>aisbx-sandbox-close</c>: ends a live sandbox, its processes and its files.</summary>
public sealed class SandboxCloseTool(ServiceContext context) : SandboxTool(
    context,
    "aisbx-sandbox-close",
    "close",
    "Close a live sandbox",
    "Closes a live sandbox: every process in it ends, and its /workspace and /tmp are deleted. Read out what you " +
    "need first (aisbx-file-read). Afterwards its sandboxId answers that it was closed.",
    SandboxToolSchemas.CloseInput,
    SandboxToolSchemas.CloseOutput,
    // It deletes the sandbox's files and ends its processes; a second call changes nothing more (it says the sandbox was closed).
    new ToolHints(ReadOnly: false, Destructive: true, Idempotent: true, OpenWorld: false),
    """{"sandboxId": "sbx-..."}""")
{
    protected override async Task<CallToolResult> CallAsync(CallerIdentity caller, IReadOnlyDictionary<string, JsonElement> arguments, CancellationToken cancellationToken)
    {
        JsonFields.RejectUnknown(arguments, [SandboxToolArguments.SandboxId], Words);
        var handle = SandboxToolArguments.Handle(arguments);
        var outcome = await Sandboxes.CloseAsync(caller, handle, cancellationToken).ConfigureAwait(false);
        return Answer(outcome, _ => Answer(
            $"closed sandbox {handle}: its processes ended and its files are gone",
            JsonSerializer.SerializeToElement(new SandboxClosed(handle, Closed: true), SandboxToolJsonContext.Default.SandboxClosed)));
    }
}
