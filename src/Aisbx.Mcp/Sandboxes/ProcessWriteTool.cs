using System.Text.Json;
using Aisbx.Service;
using ModelContextProtocol.Protocol;

namespace Aisbx.Mcp.Sandboxes;

/// <summary><c>aisbx-process-write</c>: input for a background process's stdin, and its end.</summary>
public sealed class ProcessWriteTool(ServiceContext context) : SandboxTool(
    context,
    "aisbx-process-write",
    "process-stdin",
    "Write to a background process's stdin",
    "Writes to the stdin of a background process (aisbx-sandbox-exec with background: true): 'stdin' as text, or " +
    "'stdinBase64' for bytes. close: true closes its stdin once everything is written, so that it reads end of " +
    "file. Read its answer with aisbx-process-read.",
    SandboxToolSchemas.ProcessWriteInput,
    SandboxToolSchemas.ProcessWriteOutput,
    // What the process does with its input is up to it (a shell runs it): as much as an exec can do.
    new ToolHints(ReadOnly: false, Destructive: true, Idempotent: false, OpenWorld: RunTool.HostNetworkPossible(context)),
    """{"sandboxId": "sbx-...", "processId": 7, "stdin": "hello\n"}""")
{
    private static readonly string[] Known = [SandboxToolArguments.SandboxId, "processId", "stdin", "stdinBase64", "close"];

    protected override async Task<CallToolResult> CallAsync(CallerIdentity caller, IReadOnlyDictionary<string, JsonElement> arguments, CancellationToken cancellationToken)
    {
        JsonFields.RejectUnknown(arguments, Known, Words);
        var handle = SandboxToolArguments.Handle(arguments);
        var processId = SandboxToolArguments.ProcessId(arguments);
        var bytes = SandboxToolArguments.Bytes(arguments, "stdin");
        var close = JsonFields.Boolean(arguments, "close") ?? false;
        if (bytes is null && !close)
        {
            throw new ToolArgumentException("give 'stdin' (text) or 'stdinBase64' (bytes) to write, or close: true to close its stdin");
        }

        bytes ??= [];
        var outcome = await Sandboxes.WriteStdinAsync(caller, handle, processId, bytes, close, cancellationToken).ConfigureAwait(false);
        return Answer(outcome, _ => Answer(
            $"gave {bytes.Length} bytes to the stdin of process {processId}{(close ? ", then closed it" : "")}",
            JsonSerializer.SerializeToElement(new StdinWritten(handle, processId, bytes.Length, close), SandboxToolJsonContext.Default.StdinWritten)));
    }
}
