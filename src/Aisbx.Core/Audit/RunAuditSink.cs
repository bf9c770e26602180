using Aisbx.Core.Security;

namespace Aisbx.Core.Audit;

/// <summary>
/// A CLI run's events, appended to the audit log in one batch when the run is over (on dispose), on the calling
/// thread: no writer thread to start and hand off to, and nothing at all to do for the usual run that raised none.
/// </summary>
public sealed class RunAuditSink(AuditLog log) : ISecurityEventSink, IDisposable
{
    private readonly List<AuditEntry> _entries = [];
    private readonly Lock _gate = new();

    public void Publish(SecurityEvent securityEvent)
    {
        lock (_gate)
        {
            _entries.Add(AuditEntry.From(securityEvent));
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            try
            {
                log.Append(_entries);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"aisbx: cannot write the audit log ({ex.Message}): {_entries.Count} event(s) not recorded");
            }

            _entries.Clear();
        }
    }
}
