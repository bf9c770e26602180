using System.Text.Json;
using Aisbx.Core.Security;

namespace Aisbx.Service.Events;

/// <summary>
/// Every call and security event as one JSON line, on stderr in the hosts (stdout belongs to the protocol over
/// stdio); the audit log gets the same events.
/// </summary>
public sealed class JsonLinesEventLog(TextWriter writer) : ISecurityEventSink
{
    private readonly Lock _gate = new();

    public void Publish(SecurityEvent securityEvent)
    {
        var line = JsonSerializer.Serialize(EventDocument.From(securityEvent), ServiceJsonContext.Default.EventDocument);
        lock (_gate)
        {
            writer.WriteLine("aisbx-event " + line);
            writer.Flush();
        }
    }
}
