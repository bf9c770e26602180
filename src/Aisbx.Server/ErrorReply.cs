using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Aisbx.Server;

/// <summary>
/// An error answered by the server itself (a control, a guard, the REST API), in the shape of the path asked:
/// a JSON-RPC error on <c>/mcp</c>, whose clients speak JSON-RPC, and the REST document <c>{error, rule}</c>
/// everywhere else.
/// </summary>
internal static class ErrorReply
{
    public static bool IsMcp(HttpContext context) => context.Request.Path.StartsWithSegments("/mcp");

    /// <param name="rule">The rule that refused, for the REST document.</param>
    /// <param name="jsonRpcCode">The JSON-RPC error code, for <c>/mcp</c>.</param>
    public static Task WriteAsync(HttpContext context, int status, string rule, int jsonRpcCode, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        if (IsMcp(context))
        {
            var text = JsonEncodedText.Encode(message).ToString();
            return context.Response.WriteAsync($"{{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{{\"code\":{jsonRpcCode},\"message\":\"{text}\"}}}}");
        }

        return context.Response.WriteAsync(JsonSerializer.Serialize(new ErrorDocument(message, rule), ServerJsonContext.Default.ErrorDocument));
    }
}
