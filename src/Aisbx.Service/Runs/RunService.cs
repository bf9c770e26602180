using System.Text;
using System.Text.Json;
using Aisbx.Core;
using Aisbx.Core.Policy;
using Aisbx.Core.Runs;
using Aisbx.Core.Security;
using Aisbx.Sandbox;

namespace Aisbx.Service.Runs;

/// <summary>
/// One run request from a remote caller, the same for the MCP tool and the REST API: arguments, scope, admission,
/// policy (in the runner), the run, events and metrics.
/// </summary>
public sealed class RunService(ServiceContext context)
{
    /// <param name="words">The surface's words (a tool's arguments, a body's fields), in which refusals name what the caller sent.</param>
    /// <param name="live">Where the run's events also go as they happen (the MCP client's notifications), beside the record.</param>
    public async Task<ServiceOutcome<RunResult>> RunAsync(IReadOnlyDictionary<string, JsonElement>? arguments, CallerIdentity caller, JsonVocabulary words, ISecurityEventSink? live, CancellationToken cancellationToken)
    {
        if (!caller.Allows(Scopes.Run))
        {
            Record(caller, "refused", ServiceRules.Scope, "-", null);
            return ServiceOutcome.Refused<RunResult>(ServiceRules.Scope, caller.ScopeRefusal(Scopes.Run));
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
            return ServiceOutcome.Refused<RunResult>(ex.Rule, $"refused ({ex.Rule}): {ex.Message}");
        }

        foreach (var secret in run.Secrets)
        {
            if (!caller.Allows(Scopes.Secret(secret)))
            {
                Record(caller, "refused", ServiceRules.Scope, run.Profile, null);
                return ServiceOutcome.Refused<RunResult>(ServiceRules.Scope, caller.ScopeRefusal(Scopes.Secret(secret)));
            }
        }

        using var slot = context.Gate is null ? null : await context.Gate.EnterAsync(caller.Name, cancellationToken).ConfigureAwait(false);
        if (context.Gate is not null && slot is null)
        {
            Record(caller, "refused", ServiceRules.Busy, run.Profile, null);
            return ServiceOutcome.Refused<RunResult>(ServiceRules.Busy, "refused (busy): too many sandboxes are running for this caller or this server: retry in a few seconds");
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, context.Runs.Stopping);
        ISecurityEventSink events = live is null ? context.Log : new CompositeSink(context.Log, live);
        var io = new RunIo { Stdin = stdin is null ? null : new MemoryStream(Encoding.UTF8.GetBytes(stdin)), Events = events };
        try
        {
            using var running = context.Observer?.Running();
            var result = await context.Runs.Track(RunPooledOrColdAsync(run, io, linked.Token)).ConfigureAwait(false);
            context.Observer?.Finished(result);
            Record(caller, "ran", "ok", run.Profile, result);
            return ServiceOutcome.Ok(result);
        }
        catch (PolicyRefusal refusal)
        {
            Record(caller, "refused", refusal.Rule, run.Profile, null);
            return ServiceOutcome.Refused<RunResult>(refusal.Rule, $"refused ({refusal.Rule}): {context.Scrub(refusal.PublicMessageIn(words))}");
        }
        catch (AisbxException ex)
        {
            Record(caller, "failed", ServiceRules.Error, run.Profile, null);
            return ServiceOutcome.Refused<RunResult>(ServiceRules.Error, context.Scrub(ex.Message));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Record(caller, "failed", "internal-error " + ex.GetType().Name, run.Profile, null);
            return ServiceOutcome.Fault<RunResult>("run", ex);
        }
    }

    /// <summary>In a sandbox of the warm pool when the request can use one, else started for it as usual.</summary>
    private async Task<RunResult> RunPooledOrColdAsync(RunRequest run, RunIo io, CancellationToken cancellationToken)
    {
        var pooled = await context.Runner.RunPooledAsync(context.Pool, run, io, cancellationToken).ConfigureAwait(false);
        context.Observer?.Pooled(pooled.MissReason);
        return pooled.Result ?? await context.Runner.RunAsync(run, io, cancellationToken).ConfigureAwait(false);
    }

    private void Record(CallerIdentity caller, string outcome, string detail, string profile, RunResult? result) =>
        context.RecordCall(
            caller,
            result is null ? $"run {outcome}: {detail}" : $"run {outcome}: exit {result.ExitCode} in {result.DurationMs:0.0} ms",
            outcome,
            profile,
            result?.SandboxId);
}
