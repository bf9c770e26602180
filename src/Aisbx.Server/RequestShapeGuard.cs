using Microsoft.AspNetCore.Http;

namespace Aisbx.Server;

/// <summary>
/// Answers what the endpoints would otherwise fail on with a 500: a POST without a JSON content type gets 415, a
/// body over the limit 413, and anything that still throws a 400, never a stack trace; each in the shape of the
/// path (<see cref="ErrorReply"/>).
/// </summary>
internal static class RequestShapeGuard
{
    public static async Task InvokeAsync(HttpContext context, Func<Task> next)
    {
        if (HttpMethods.IsPost(context.Request.Method) && !context.Request.HasJsonContentType() && !IsRawBody(context.Request.Path))
        {
            await ErrorReply.WriteAsync(context, StatusCodes.Status415UnsupportedMediaType, "content-type", -32600, "POST bodies must be JSON: send Content-Type: application/json").ConfigureAwait(false);
            return;
        }

        try
        {
            await next().ConfigureAwait(false);
        }
        catch (BadHttpRequestException bad) when (!context.Response.HasStarted && bad.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            await ErrorReply.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, "body-size", -32600, $"the request body is over {HttpTransport.MaxRequestBodyBytes} bytes: send less, or place data with 'files' or 'stdin' in smaller calls").ConfigureAwait(false);
        }
        catch (Exception ex) when (!context.Response.HasStarted && ex is not OperationCanceledException)
        {
            await ErrorReply.WriteAsync(context, StatusCodes.Status400BadRequest, "request", -32600,
                ErrorReply.IsMcp(context) ? "the request could not be handled: check that it is one JSON-RPC message" : "the request could not be handled: check its JSON against the API").ConfigureAwait(false);
        }
    }

    /// <summary>A process's stdin takes raw bytes, as a file's PUT does.</summary>
    private static bool IsRawBody(PathString path) =>
        path.StartsWithSegments("/v1/sandboxes", StringComparison.Ordinal) && path.Value!.EndsWith("/stdin", StringComparison.Ordinal);
}
