using Aisbx.Service;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Aisbx.Mcp;

/// <summary>A call's progress as MCP progress notifications, when the client asked for them with a progress token; a total of 0 is sent as unknown.</summary>
public sealed class McpProgress(McpServer server, ProgressToken token) : IProgressReporter
{
    /// <summary>The reporter of a request, or null when the client gave no progress token.</summary>
    public static McpProgress? Of(RequestContext<CallToolRequestParams> request) =>
        request.Params?.ProgressToken is { } token ? new McpProgress(request.Server, token) : null;

    public async ValueTask ReportAsync(ProgressStep progress, CancellationToken cancellationToken) =>
        await server.NotifyProgressAsync(token, new ProgressNotificationValue { Progress = progress.Done, Total = progress.Total > 0 ? progress.Total : null, Message = progress.Message }, cancellationToken: cancellationToken).ConfigureAwait(false);
}
