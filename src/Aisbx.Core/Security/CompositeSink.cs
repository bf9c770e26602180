
namespace Aisbx.Core.Security;

/// <summary>Hands each security event to several sinks.</summary>
public sealed class CompositeSink(params ISecurityEventSink[] sinks) : ISecurityEventSink
{
    public void Publish(SecurityEvent securityEvent)
    {
        foreach (var sink in sinks)
        {
            sink.Publish(securityEvent);
        }
    }
}
