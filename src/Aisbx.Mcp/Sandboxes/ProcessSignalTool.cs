using System.Globalization;
using System.Text.Json;
using Aisbx.Service;
using Aisbx.Service.Sandboxes;
using ModelContextProtocol.Protocol;

namespace Aisbx.Mcp.Sandboxes;

/// <summary><c>aisbx-process-signal</c>: a signal to a background process's process group (TERM to stop a server).</summary>
public sealed class ProcessSignalTool(ServiceContext context) : SandboxTool(
    context,
    "aisbx-process-signal",
    "process-signal",
    "Signal a background process",
    "Sends a signal to a background process (aisbx-sandbox-exec with background: true) and its process group: " +
    "TERM or INT to stop it, KILL to end it at once, STOP and CONT to pause and resume it, HUP, QUIT, USR1, USR2. " +
    "Then aisbx-process-read with wait: true tells how it ended.",
    SandboxToolSchemas.ProcessSignalInput,
    SandboxToolSchemas.ProcessSignalOutput,
    // It may end a process; sending it again is another signal (STOP, then CONT, differ from one).
    new ToolHints(ReadOnly: false, Destructive: true, Idempotent: false, OpenWorld: false),
    """{"sandboxId": "sbx-...", "processId": 7, "signal": "TERM"}""")
{
    private static readonly string[] Known = [SandboxToolArguments.SandboxId, "processId", "signal"];

    protected override async Task<CallToolResult> CallAsync(CallerIdentity caller, IReadOnlyDictionary<string, JsonElement> arguments, CancellationToken cancellationToken)
    {
        JsonFields.RejectUnknown(arguments, Known, Words);
        var handle = SandboxToolArguments.Handle(arguments);
        var processId = SandboxToolArguments.ProcessId(arguments);
        var signal = arguments.TryGetValue("signal", out var value) ? value : default;
        var name = signal.ValueKind switch
        {
            JsonValueKind.String => signal.GetString()!,
            JsonValueKind.Number when signal.TryGetInt32(out var number) => number.ToString(CultureInfo.InvariantCulture),
            _ => throw new ToolArgumentException($"'signal' is required: give a name such as \"TERM\", \"INT\" or \"KILL\", or its number ({string.Join(", ", Signals.Names)})"),
        };
        var outcome = await Sandboxes.SignalAsync(caller, handle, processId, name, cancellationToken).ConfigureAwait(false);
        return Answer(outcome, _ =>
        {
            var sent = new SignalSent(handle, processId, Signals.Number(name)!.Value);
            return Answer(
                string.Create(CultureInfo.InvariantCulture, $"sent signal {sent.Signal} to process {processId}: aisbx-process-read with wait: true tells how it ended"),
                JsonSerializer.SerializeToElement(sent, SandboxToolJsonContext.Default.SignalSent));
        });
    }
}
