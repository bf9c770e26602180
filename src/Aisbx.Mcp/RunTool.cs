using System.Text;
using System.Text.Json;
using Aisbx.Core;
using Aisbx.Core.Policy;
using Aisbx.Core.Runs;
using Aisbx.Core.Security;
using Aisbx.Sandbox;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Aisbx.Mcp;

/// <summary>
/// <c>aisbx-run</c>: runs a command or a snippet in a fresh sandbox and returns the result document. A run that
/// fails (non-zero exit, timeout, violation) is a normal result carrying the data; a refused request is a tool
/// error whose text names the rule and the fix.
/// </summary>
public sealed class RunTool(AisbxMcpContext context) : AisbxTool(
    "aisbx-run",
    "Run code in a sandbox",
    "Runs a command, or a snippet of code, in an isolated Linux sandbox (no network by default, read-only system, " +
    "one writable /workspace, CPU/memory/time limits, dangerous syscalls refused) and returns its exit code, stdout, " +
    "stderr, limit hits and security violations. Give either 'command' (an array of strings) or 'code' with " +
    "'language'. Use 'files' to place source files in the fresh workspace first. Each call gets a new sandbox: " +
    "nothing persists between calls unless a 'workdir' is given.",
    ToolSchemas.RunInput,
    ToolSchemas.RunOutput,
    readOnly: false)
{
    public override async ValueTask<CallToolResult> InvokeAsync(RequestContext<CallToolRequestParams> request, CancellationToken cancellationToken = default)
    {
        var caller = Callers.Of(request.Server);
        RunRequest run;
        string? stdin;
        try
        {
            (run, stdin) = RunArguments.Read(request.Params?.Arguments?.AsReadOnly(), caller);
        }
        catch (ToolArgumentException ex)
        {
            LogCall(caller, "refused", "arguments", "-", null);
            return Refused($"refused (arguments): {ex.Message}");
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, context.Runs.Stopping);
        var io = new RunIo
        {
            Stdin = stdin is null ? null : new MemoryStream(Encoding.UTF8.GetBytes(stdin)),
            Events = new CompositeSink(context.Log, new ClientNotifications(request.Server)),
        };

        try
        {
            var result = await context.Runs.Track(context.Runner.RunAsync(run, io, linked.Token)).ConfigureAwait(false);
            LogCall(caller, "ran", "ok", run.Profile, result);
            return new CallToolResult
            {
                Content = [new TextContentBlock { Text = ResultText.Summarize(result) }],
                StructuredContent = JsonSerializer.SerializeToElement(result, AisbxJsonContext.Default.RunResult),
                IsError = false,
            };
        }
        catch (PolicyRefusal refusal)
        {
            LogCall(caller, "refused", refusal.Rule, run.Profile, null);
            return Refused($"refused ({refusal.Rule}): {context.Scrub(refusal.PublicMessage)}");
        }
        catch (AisbxException ex)
        {
            LogCall(caller, "failed", ex.GetType().Name, run.Profile, null);
            return Refused(context.Scrub(ex.Message));
        }
    }

    private void LogCall(string caller, string outcome, string detail, string profile, RunResult? result) =>
        context.Log.Publish(new SecurityEvent(
            SecurityEventKind.ToolCall,
            result is null ? $"aisbx-run {outcome}: {detail}" : $"aisbx-run {outcome}: exit {result.ExitCode} in {result.DurationMs:0.0} ms",
            Severity.Low,
            outcome,
            result?.SandboxId,
            profile,
            caller,
            DateTimeOffset.UtcNow));
}
