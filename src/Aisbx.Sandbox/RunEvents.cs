using Aisbx.Core.Security;

namespace Aisbx.Sandbox;

/// <summary>Publishes one run's security events to the caller's sink, and counts them against the caller's lockout.</summary>
internal sealed class RunEvents(ISecurityEventSink? sink, CallerLockout? lockout, string caller)
{
    /// <param name="count">Whether the event counts towards a lockout (a refusal does not: it cost nothing).</param>
    public void Publish(string kind, string detail, Severity severity, string action, string? sandboxId, string profile, bool count, DateTimeOffset? time = null)
    {
        var securityEvent = new SecurityEvent(kind, detail, severity, action, sandboxId, profile, caller, time ?? DateTimeOffset.UtcNow);
        sink?.Publish(securityEvent);
        if (count && lockout?.Observe(securityEvent) is { } lockedOut)
        {
            sink?.Publish(lockedOut);
        }
    }
}
