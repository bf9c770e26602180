using Microsoft.AspNetCore.Http;

namespace Aisbx.Server;

/// <summary>
/// Answers what the MCP endpoint would otherwise fail on with a 500: a POST without a JSON content type gets 415,
/// and anything that still throws becomes a 400 with a JSON-RPC error, never a stack trace.
/// </summary>
internal static class RequestShapeGuard
{
    public static async Task InvokeAsync(HttpContext context, Func<Task> next)
    {
        if (HttpMethods.IsPost(context.Request.Method) && !(context.Request.HasJsonContentType()))
        {
            await Reply(context, StatusCodes.Status415UnsupportedMediaType, -32600, "POST bodies must be JSON: send Content-Type: application/json").ConfigureAwait(false);
            return;
        }

        try
        {
            await next().ConfigureAwait(false);
        }
        catch (BadHttpRequestException bad) when (!context.Response.HasStarted && bad.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            await Reply(context, StatusCodes.Status413PayloadTooLarge, -32600, $"the request body is over {HttpTransport.MaxRequestBodyBytes} bytes: send less, or place data with 'files' or 'stdin' in smaller calls").ConfigureAwait(false);
        }
        catch (Exception ex) when (!context.Response.HasStarted && ex is not OperationCanceledException)
        {
            await Reply(context, StatusCodes.Status400BadRequest, -32600, "the request could not be handled: check that it is one JSON-RPC message").ConfigureAwait(false);
        }
    }

    public static Task Reply(HttpContext context, int status, int code, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        var text = System.Text.Json.JsonEncodedText.Encode(message).ToString();
        return context.Response.WriteAsync($"{{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{{\"code\":{code},\"message\":\"{text}\"}}}}");
    }
}
