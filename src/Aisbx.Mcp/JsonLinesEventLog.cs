using System.Text.Json;
using Aisbx.Core.Security;

namespace Aisbx.Mcp;

/// <summary>
/// Every tool call and security event as one JSON line on stderr (stdout belongs to the protocol over stdio).
/// The audit log of a later part will consume the same events; until then this is the record.
/// </summary>
public sealed class JsonLinesEventLog(TextWriter writer) : ISecurityEventSink
{
    private readonly Lock _gate = new();

    public void Publish(SecurityEvent securityEvent)
    {
        var line = JsonSerializer.Serialize(EventDocument.From(securityEvent), McpJsonContext.Default.EventDocument);
        lock (_gate)
        {
            writer.WriteLine("aisbx-event " + line);
            writer.Flush();
        }
    }
}
