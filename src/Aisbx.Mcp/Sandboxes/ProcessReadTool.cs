using System.Globalization;
using System.Text;
using System.Text.Json;
using Aisbx.Core.Runs;
using Aisbx.Core.Sandboxes;
using Aisbx.Service;
using ModelContextProtocol.Protocol;

namespace Aisbx.Mcp.Sandboxes;

/// <summary>
/// <c>aisbx-process-read</c>: what a background process wrote since the offsets given, and whether it still runs;
/// with <c>wait</c>, after it has ended (or the wait's timeout passed).
/// </summary>
public sealed class ProcessReadTool(ServiceContext context) : SandboxTool(
    context,
    "aisbx-process-read",
    "process-read",
    "Read a background process's output",
    "Reads what a background process (aisbx-sandbox-exec with background: true) wrote to stdout and stderr from " +
    "the offsets given (0 at first, then the offset and stderrOffset the last read returned), and whether it still " +
    "runs or how it ended. Each stream keeps its last MiB; 'dropped' says how many bytes after your offset are " +
    "gone. With wait: true it first waits until the process ends, at most 'timeout' (default 30s).",
    SandboxToolSchemas.ProcessReadInput,
    SandboxToolSchemas.ProcessReadOutput,
    // Reading, even after waiting, changes nothing; the same offsets give the same bytes while they are kept.
    new ToolHints(ReadOnly: true, Destructive: false, Idempotent: true, OpenWorld: false),
    """{"sandboxId": "sbx-...", "processId": 7, "offset": 0}""")
{
    private static readonly string[] Known = [SandboxToolArguments.SandboxId, "processId", "offset", "stderrOffset", "wait", "timeout"];

    private static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(30);

    /// <summary>A call held open longer would outlast most clients' request timeouts and the sandbox's idle clock alike.</summary>
    private static readonly TimeSpan LongestWait = TimeSpan.FromMinutes(10);

    protected override async Task<CallToolResult> CallAsync(CallerIdentity caller, IReadOnlyDictionary<string, JsonElement> arguments, CancellationToken cancellationToken)
    {
        JsonFields.RejectUnknown(arguments, Known, Words);
        var handle = SandboxToolArguments.Handle(arguments);
        var processId = SandboxToolArguments.ProcessId(arguments);
        var offset = SandboxToolArguments.Offset(arguments, "offset");
        var stderrOffset = SandboxToolArguments.Offset(arguments, "stderrOffset");
        var wait = JsonFields.Boolean(arguments, "wait") ?? false;
        var timeout = JsonFields.Duration(arguments, "timeout");
        if (timeout is not null && !wait)
        {
            throw new ToolArgumentException("'timeout' is how long wait: true waits: add wait: true, or drop 'timeout'");
        }

        if (timeout > LongestWait)
        {
            throw new ToolArgumentException("'timeout' of a wait is at most 10m: wait again with the offsets returned if the process still runs");
        }

        if (wait && await WaitAsync(caller, handle, processId, timeout ?? DefaultWait, cancellationToken).ConfigureAwait(false) is { } refused)
        {
            return refused;
        }

        var outcome = await Sandboxes.ReadProcessAsync(caller, handle, processId, offset, stderrOffset, cancellationToken).ConfigureAwait(false);
        return Answer(outcome, output => Answer(Describe(output, offset, stderrOffset), JsonSerializer.SerializeToElement(output, AisbxJsonContext.Default.ProcessOutput)));
    }

    /// <summary>Waits until the process ends or <paramref name="limit"/> passes; a refusal (an unknown process, an ended sandbox) is the answer.</summary>
    private async Task<CallToolResult?> WaitAsync(CallerIdentity caller, string handle, int processId, TimeSpan limit, CancellationToken cancellationToken)
    {
        using var waitLimit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        waitLimit.CancelAfter(limit);
        try
        {
            var waited = await Sandboxes.WaitProcessAsync(caller, handle, processId, waitLimit.Token).ConfigureAwait(false);
            return waited.Succeeded ? null : Refused(waited.Refusal);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null; // Still running: the read says so.
        }
    }

    private static string Describe(ProcessOutput output, long offset, long stderrOffset)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"process {output.ProcessId} ");
        text.Append(output.Running ? "is running"
            : output.Signal is { } signal ? string.Create(CultureInfo.InvariantCulture, $"ended by signal {signal} (exit code {output.ExitCode})")
            : string.Create(CultureInfo.InvariantCulture, $"ended with exit code {output.ExitCode}"));
        text.Append(CultureInfo.InvariantCulture, $"; stdout {offset}..{output.Offset}, stderr {stderrOffset}..{output.StderrOffset}: read on from offset {output.Offset}, stderrOffset {output.StderrOffset}\n");
        if (output.Dropped > 0 || output.StderrDropped > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"no longer kept (the process wrote more than is kept): {output.Dropped} bytes of stdout, {output.StderrDropped} of stderr after the offsets asked for\n");
        }

        ResultText.Section(text, "stdout", output.Stdout, truncated: false);
        ResultText.Section(text, "stderr", output.Stderr, truncated: false);
        return text.ToString();
    }
}
