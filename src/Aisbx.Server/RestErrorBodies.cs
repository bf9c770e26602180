using Microsoft.AspNetCore.Http;

namespace Aisbx.Server;

/// <summary>
/// Gives the REST shape to the errors routing answers without a body: an unknown path (404) and a method the path
/// does not take (405). <c>/mcp</c> is left to the MCP endpoint.
/// </summary>
internal static class RestErrorBodies
{
    private const string Endpoints = "POST /v1/runs, GET /v1/profiles, POST /v1/builds, GET /v1/builds/{id}, GET /healthz, GET /metrics, and MCP at /mcp";

    public static async Task InvokeAsync(HttpContext context, Func<Task> next)
    {
        await next().ConfigureAwait(false);
        if (context.Response.HasStarted || ErrorReply.IsMcp(context))
        {
            return;
        }

        var request = $"{context.Request.Method} {Printable(context.Request.Path.Value ?? "")}";
        switch (context.Response.StatusCode)
        {
            case StatusCodes.Status404NotFound:
                await ErrorReply.WriteAsync(context, StatusCodes.Status404NotFound, "not-found", -32601, $"no endpoint answers {request}: the server has {Endpoints}").ConfigureAwait(false);
                break;
            case StatusCodes.Status405MethodNotAllowed:
                await ErrorReply.WriteAsync(context, StatusCodes.Status405MethodNotAllowed, "method", -32601, $"{request} is not a method this path takes: the server has {Endpoints}").ConfigureAwait(false);
                break;
        }
    }

    private static string Printable(string path) => new([.. path.Take(100).Select(c => char.IsControl(c) ? '?' : c)]);
}
