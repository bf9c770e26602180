using ModelContextProtocol.Server;

namespace Aisbx.Mcp;

/// <summary>Who calls a tool, for lockouts and the record: the MCP session (over HTTP), or the stdio client.</summary>
public static class Callers
{
    public static string Of(McpServer server) => "mcp:" + (server.SessionId ?? "stdio");
}
