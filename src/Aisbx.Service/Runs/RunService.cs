using System.Text;
using System.Text.Json;
using Aisbx.Core;
using Aisbx.Core.Policy;
using Aisbx.Core.Runs;
using Aisbx.Core.Security;
using Aisbx.Sandbox;

namespace Aisbx.Service.Runs;

/// <summary>How a run request ended: a result, or a refusal with its rule and caller-safe text.</summary>
public sealed record RunOutcome(RunResult? Result, string? Rule, string? Refusal)
{
    public bool Busy => Rule == "busy";
}

/// <summary>
/// One run request from a remote caller, the same for the MCP tool and the REST API: arguments, scope, admission,
/// policy (in the runner), the run, events and metrics.
/// </summary>
public sealed class RunService(ServiceContext context)
{
    /// <param name="words">The surface's words (a tool's arguments, a body's fields), in which refusals name what the caller sent.</param>
    public async Task<RunOutcome> RunAsync(IReadOnlyDictionary<string, JsonElement>? arguments, CallerIdentity caller, JsonVocabulary words, ISecurityEventSink? live, CancellationToken cancellationToken)
    {
        if (!caller.Allows("run"))
        {
            Record(caller, "refused", "scope", "-", null);
            return new RunOutcome(null, "scope", caller.ScopeRefusal("run"));
        }

        RunRequest run;
        string? stdin;
        try
        {
            (run, stdin) = RunArguments.Read(arguments, caller.Name, context.Config.RequestLimits, words);
        }
        catch (ToolArgumentException ex)
        {
            Record(caller, "refused", ex.Rule, "-", null);
            return new RunOutcome(null, ex.Rule, $"refused ({ex.Rule}): {ex.Message}");
        }

        foreach (var secret in run.Secrets)
        {
            if (!caller.Allows("secret:" + secret))
            {
                Record(caller, "refused", "scope", run.Profile, null);
                return new RunOutcome(null, "scope", caller.ScopeRefusal("secret:" + secret));
            }
        }

        using var slot = context.Gate is null ? null : await context.Gate.EnterAsync(caller.Name, cancellationToken).ConfigureAwait(false);
        if (context.Gate is not null && slot is null)
        {
            Record(caller, "refused", "busy", run.Profile, null);
            return new RunOutcome(null, "busy", "refused (busy): too many sandboxes are running for this caller or this server: retry in a few seconds");
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, context.Runs.Stopping);
        ISecurityEventSink events = live is null ? context.Log : new CompositeSink(context.Log, live);
        var io = new RunIo { Stdin = stdin is null ? null : new MemoryStream(Encoding.UTF8.GetBytes(stdin)), Events = events };
        try
        {
            using var running = context.Observer?.Running();
            var result = await context.Runs.Track(context.Runner.RunAsync(run, io, linked.Token)).ConfigureAwait(false);
            context.Observer?.Finished(result);
            Record(caller, "ran", "ok", run.Profile, result);
            return new RunOutcome(result, null, null);
        }
        catch (PolicyRefusal refusal)
        {
            Record(caller, "refused", refusal.Rule, run.Profile, null);
            return new RunOutcome(null, refusal.Rule, $"refused ({refusal.Rule}): {context.Scrub(refusal.PublicMessageIn(words))}");
        }
        catch (AisbxException ex)
        {
            Record(caller, "failed", "error", run.Profile, null);
            return new RunOutcome(null, "error", context.Scrub(ex.Message));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A bug or a host fault (a full disk, say): one line for the caller, without its message, which may name host paths.
            Record(caller, "failed", "internal-error " + ex.GetType().Name, run.Profile, null);
            return new RunOutcome(null, "error", $"the run failed inside aisbx ({ex.GetType().Name}): retry; if it persists, the operator finds the event in the audit log");
        }
    }

    private void Record(CallerIdentity caller, string outcome, string detail, string profile, RunResult? result) =>
        context.Log.Publish(new SecurityEvent(
            SecurityEventKind.ToolCall,
            result is null ? $"run {outcome}: {detail}" : $"run {outcome}: exit {result.ExitCode} in {result.DurationMs:0.0} ms",
            Severity.Low,
            outcome,
            result?.SandboxId,
            profile,
            caller.Name,
            DateTimeOffset.UtcNow));
}
