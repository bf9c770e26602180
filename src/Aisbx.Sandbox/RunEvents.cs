using Aisbx.Core.Security;

namespace Aisbx.Sandbox;

/// <summary>Publishes one run's security events to the caller's sink, and counts them against the caller's lockout.</summary>
internal sealed class RunEvents(ISecurityEventSink? sink, CallerLockout? lockout, string caller)
{
    private readonly Lock _gate = new();

    /// <param name="count">Whether the event counts towards a lockout (a refusal does not: it cost nothing).</param>
    public void Publish(string kind, string detail, Severity severity, string action, string? sandboxId, string profile, bool count, DateTimeOffset? time = null)
    {
        Publish(new SecurityEvent(kind, detail, severity, action, sandboxId, profile, caller, time ?? DateTimeOffset.UtcNow), count);
    }

    /// <summary>A connection through the egress proxy; a refused one counts towards a lockout.</summary>
    public void PublishEgress(Core.Runs.NetworkConnection connection, Severity severity, string sandboxId, string profile) =>
        Publish(new SecurityEvent(SecurityEventKind.Egress, connection.Describe(), severity, connection.Verdict, sandboxId, profile, caller, connection.Started) { Egress = connection },
            count: connection.Verdict == "refused");

    /// <summary>The supervising thread and the egress proxy's threads publish at once; sinks take one event at a time.</summary>
    private void Publish(SecurityEvent securityEvent, bool count)
    {
        lock (_gate)
        {
            sink?.Publish(securityEvent);
            if (count && lockout?.Observe(securityEvent) is { } lockedOut)
            {
                sink?.Publish(lockedOut);
            }
        }
    }
}
