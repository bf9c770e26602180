using System.Text.Json;
using Aisbx.Core;
using Aisbx.Core.Policy;
using Aisbx.Sandbox.Seccomp;

namespace Aisbx.Service.Builds;

/// <summary>
/// Prepares a profile's environment, the same for <c>aisbx-build</c> and <c>POST /v1/builds</c>: scope <c>build</c>,
/// the argument <c>profile</c>, then (reporting progress) load it, check its toolchain, and compile and cache its
/// syscall filter, so that the first run pays neither; and the call on the record.
/// </summary>
public sealed class BuildService(ServiceContext context)
{
    private const int Steps = 3;

    /// <param name="words">The surface's words for this operation, e.g. <c>JsonVocabulary.Rest.For("POST /v1/builds")</c>.</param>
    /// <param name="progress">Where each step is reported as it starts; null where the surface shows none.</param>
    public async Task<ServiceOutcome<BuildReport>> PrepareAsync(
        CallerIdentity caller, IReadOnlyDictionary<string, JsonElement>? arguments, JsonVocabulary words, IProgressReporter? progress, CancellationToken cancellationToken)
    {
        if (!caller.Allows(Scopes.Build))
        {
            Record(caller, "refused", ServiceRules.Scope);
            return ServiceOutcome.Refused<BuildReport>(ServiceRules.Scope, caller.ScopeRefusal(Scopes.Build));
        }

        if (arguments is null || !arguments.TryGetValue("profile", out var value) || value.ValueKind != JsonValueKind.String)
        {
            Record(caller, "refused", ServiceRules.Arguments);
            return ServiceOutcome.Refused<BuildReport>(ServiceRules.Arguments,
                $"refused (arguments): 'profile' is required and must be a string, e.g. \"python-dev\"; see {words.ProfileList}");
        }

        if (arguments.Keys.FirstOrDefault(k => k != "profile") is { } unknown)
        {
            Record(caller, "refused", ServiceRules.Arguments);
            return ServiceOutcome.Refused<BuildReport>(ServiceRules.Arguments, $"refused (arguments): unknown {words.Noun} '{unknown}': {words.Taker} takes only 'profile'");
        }

        try
        {
            await Report(progress, 0, "loading the profile", cancellationToken).ConfigureAwait(false);
            var profile = context.Runner.Profiles.Get(value.GetString()!);
            await Report(progress, 1, "checking the toolchain", cancellationToken).ConfigureAwait(false);
            var missing = context.Runner.MissingTools(profile);
            await Report(progress, 2, "compiling the syscall filter", cancellationToken).ConfigureAwait(false);
            var instructions = SeccompProgram.For(profile.Name, profile.Syscalls).Length / 8;
            await Report(progress, 3, "done", cancellationToken).ConfigureAwait(false);

            var ready = missing.Count == 0;
            context.RecordCall(caller, $"build ok: {profile.Name} {(ready ? "ready" : "missing " + string.Join(", ", missing))}", "built", profile.Name);
            return ServiceOutcome.Ok(new BuildReport(profile.Name, ready, profile.Toolchain, missing, ready ? null : profile.InstallHint, instructions));
        }
        catch (PolicyRefusal refusal)
        {
            Record(caller, "refused", refusal.Rule);
            return ServiceOutcome.Refused<BuildReport>(refusal.Rule, $"refused ({refusal.Rule}): {context.Scrub(refusal.PublicMessageIn(words))}");
        }
        catch (AisbxException ex)
        {
            // A profile file the operator wrote that cannot be used, or a host that cannot build the filter.
            Record(caller, "failed", ServiceRules.Error);
            return ServiceOutcome.Refused<BuildReport>(ServiceRules.Error, context.Scrub(ex.Message));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Record(caller, "failed", "internal-error " + ex.GetType().Name);
            return ServiceOutcome.Fault<BuildReport>("build", ex);
        }
    }

    private static ValueTask Report(IProgressReporter? progress, int done, string message, CancellationToken cancellationToken) =>
        progress?.ReportAsync(new ProgressStep(done, Steps, message), cancellationToken) ?? ValueTask.CompletedTask;

    private void Record(CallerIdentity caller, string outcome, string detail) =>
        context.RecordCall(caller, $"build {outcome}: {detail}", outcome, "-");
}
