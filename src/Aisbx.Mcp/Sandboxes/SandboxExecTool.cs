using System.Text.Json;
using Aisbx.Core.Runs;
using Aisbx.Service;
using ModelContextProtocol.Protocol;

namespace Aisbx.Mcp.Sandboxes;

/// <summary>
/// <c>aisbx-sandbox-exec</c>: runs a program in a live sandbox. In the foreground the answer is the run result
/// document (as aisbx-run's); with <c>background</c>, the process id at once.
/// </summary>
public sealed class SandboxExecTool(ServiceContext context) : SandboxTool(
    context,
    "aisbx-sandbox-exec",
    "exec",
    "Run a command in a live sandbox",
    "Runs a command, or a snippet of code, in a live sandbox made by aisbx-sandbox-create: files and processes " +
    "from earlier calls are still there, and servers started in the background are reachable on 127.0.0.1. Give " +
    "'command' (an array of strings) or 'code' with 'language'. Returns the exit code, stdout, stderr, limit hits " +
    "and violations, like aisbx-run; a timeout ends this exec only. With background: true it returns a processId " +
    "at once instead: read its output with aisbx-process-read.",
    SandboxToolSchemas.ExecInput,
    SandboxToolSchemas.ExecOutput,
    // The program may change or delete the sandbox's files, each exec is new, and where a profile allows the host
    // network, it may reach the internet.
    new ToolHints(ReadOnly: false, Destructive: true, Idempotent: false, OpenWorld: RunTool.HostNetworkPossible(context)),
    """{"sandboxId": "sbx-...", "command": ["python3", "main.py"]}""")
{
    private static readonly string[] Extra = [SandboxToolArguments.SandboxId];

    protected override async Task<CallToolResult> CallAsync(CallerIdentity caller, IReadOnlyDictionary<string, JsonElement> arguments, CancellationToken cancellationToken)
    {
        var handle = SandboxToolArguments.Handle(arguments);
        var outcome = await Sandboxes.ExecAsync(caller, handle, arguments, Words, cancellationToken, Extra).ConfigureAwait(false);
        return Answer(outcome, answer => answer.Background is { } started
            ? Answer(
                $"started process {started.ProcessId} in the background in sandbox {started.SandboxId}: read its output with aisbx-process-read " +
                $"(processId {started.ProcessId}), give it input with aisbx-process-write, stop it with aisbx-process-signal",
                JsonSerializer.SerializeToElement(started, AisbxJsonContext.Default.BackgroundStarted))
            : Answer(ResultText.Summarize(answer.Result!), JsonSerializer.SerializeToElement(answer.Result!, AisbxJsonContext.Default.RunResult)));
    }
}
