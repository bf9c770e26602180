using System.Globalization;
using Aisbx.Core.Policy;

namespace Aisbx.Core.Security;

/// <summary>
/// Refuses the runs of a caller that keeps raising high-severity events: it counts each caller's strikes within
/// the policy's window, and locks the caller out for a while once they reach the threshold.
/// </summary>
public sealed class CallerLockout(LockoutPolicy policy, ILockoutStore store, TimeProvider clock)
{
    public const string Rule = "lockout";

    private readonly Lock _gate = new();

    public LockoutPolicy Policy => policy;

    /// <exception cref="PolicyRefusal">The caller is locked out.</exception>
    public void EnsureAllowed(string caller)
    {
        if (policy.Threshold <= 0)
        {
            return;
        }

        var state = store.Load(caller);
        if (state.LockedUntil is { } until && until > clock.GetUtcNow())
        {
            throw new PolicyRefusal(Rule,
                $"caller '{caller}' raised {policy.Threshold} {policy.MinimumSeverity.Name()}-severity security events within {Minutes(policy.Window)}, so its runs are refused until {Units.TimeText.Format(until)}: review what its programs tried, then wait, or have the operator run 'aisbx lockout clear'");
        }
    }

    /// <summary>Counts an event against its caller.</summary>
    /// <returns>A lockout event when this one locked the caller out; otherwise null.</returns>
    public SecurityEvent? Observe(SecurityEvent securityEvent)
    {
        if (policy.Threshold <= 0 || securityEvent.Severity < policy.MinimumSeverity || securityEvent.Kind == SecurityEventKind.Lockout)
        {
            return null;
        }

        lock (_gate)
        {
            var now = clock.GetUtcNow();
            var state = store.Load(securityEvent.Caller);
            var strikes = state.Strikes.Where(t => now - t < policy.Window).Append(now).ToList();
            if (strikes.Count < policy.Threshold)
            {
                store.Save(securityEvent.Caller, state with { Strikes = [.. strikes] });
                return null;
            }

            var until = now + policy.Duration;
            store.Save(securityEvent.Caller, new LockoutState([], until));
            return new SecurityEvent(
                SecurityEventKind.Lockout,
                $"{strikes.Count} {policy.MinimumSeverity.Name()}-severity events within {Minutes(policy.Window)}; runs refused for {Minutes(policy.Duration)}",
                securityEvent.Severity, "locked-out", securityEvent.SandboxId, securityEvent.Profile, securityEvent.Caller, now);
        }
    }

    /// <summary>Lifts a caller's lockout and forgets its strikes.</summary>
    public void Clear(string caller)
    {
        lock (_gate)
        {
            store.Save(caller, LockoutState.Clear);
        }
    }

    private static string Minutes(TimeSpan span) =>
        span.TotalMinutes >= 1 ? $"{span.TotalMinutes.ToString("0.#", CultureInfo.InvariantCulture)} min" : $"{span.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s";
}
