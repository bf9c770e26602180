using System.Text.Json;
using Aisbx.Core.Security;
using Aisbx.Service;
using Aisbx.Service.Events;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Aisbx.Mcp;

/// <summary>
/// Tells the client, as MCP log notifications (<c>notifications/message</c>, level warning), about violations,
/// limit hits, refused connections and lockouts while its run goes on. Sent without waiting: the sandbox's supervision thread never
/// blocks on the client.
/// </summary>
public sealed class ClientNotifications(McpServer server) : ISecurityEventSink
{
    public void Publish(SecurityEvent securityEvent)
    {
        var refusedEgress = securityEvent is { Kind: SecurityEventKind.Egress, Action: "refused" };
        if (!refusedEgress && securityEvent.Kind is not (SecurityEventKind.Violation or SecurityEventKind.LimitHit or SecurityEventKind.Lockout or SecurityEventKind.GitConfigChanged))
        {
            return;
        }

        if (server.LoggingLevel is { } wanted && wanted > LoggingLevel.Warning)
        {
            return;
        }

        var message = new LoggingMessageNotificationParams
        {
            Level = LoggingLevel.Warning,
            Logger = "aisbx",
            Data = JsonSerializer.SerializeToElement(EventDocument.From(securityEvent), ServiceJsonContext.Default.EventDocument),
        };
        _ = server.SendNotificationAsync(NotificationMethods.LoggingMessageNotification, message)
            .ContinueWith(static t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously);
    }
}
