using System.Text;
using Aisbx.Core.Security;

namespace Aisbx.Cli.Commands;

/// <summary>Prints violations, refused connections and lockouts to aisbx's stderr the moment they happen, one line each.</summary>
internal sealed class LiveEvents(Stream stderr) : ISecurityEventSink
{
    public void Publish(SecurityEvent securityEvent)
    {
        var line = securityEvent.Kind switch
        {
            SecurityEventKind.Violation when securityEvent.Action == "killed" =>
                $"aisbx: violation: {securityEvent.Detail}: sandbox killed (severity {securityEvent.Severity.Name()})",
            SecurityEventKind.Violation =>
                $"aisbx: violation: {securityEvent.Detail} {securityEvent.Action} (severity {securityEvent.Severity.Name()})",
            SecurityEventKind.Egress when securityEvent.Action == "refused" && securityEvent.Egress is { } refused =>
                $"aisbx: egress refused: {refused.Target()} ({refused.Rule})",
            SecurityEventKind.GitConfigChanged =>
                $"aisbx: warning: {securityEvent.Detail}",
            SecurityEventKind.Lockout =>
                $"aisbx: lockout: {securityEvent.Caller}: {securityEvent.Detail}",
            _ => null,
        };

        if (line is null)
        {
            return;
        }

        try
        {
            stderr.Write(Encoding.UTF8.GetBytes(line + "\n"));
        }
        catch (IOException)
        {
            // stderr went away; the result still carries the violation.
        }
    }
}
