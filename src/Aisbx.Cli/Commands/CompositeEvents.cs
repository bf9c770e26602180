using Aisbx.Core.Security;

namespace Aisbx.Cli.Commands;

/// <summary>Hands each security event to several sinks.</summary>
internal sealed class CompositeEvents(params ISecurityEventSink[] sinks) : ISecurityEventSink
{
    public void Publish(SecurityEvent securityEvent)
    {
        foreach (var sink in sinks)
        {
            sink.Publish(securityEvent);
        }
    }
}
