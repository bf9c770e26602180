using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Aisbx.Core.Security;
using Microsoft.AspNetCore.Http;

namespace Aisbx.Server;

/// <summary>One structured line per request on stderr: the key's name (never the key), the route, the status, the duration.</summary>
internal static class RequestLog
{
    private static readonly Lock Gate = new();

    public static async Task InvokeAsync(HttpContext context, Func<Task> next)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await next().ConfigureAwait(false);
        }
        finally
        {
            var key = (context.Items[ApiKeyAuthentication.KeyItem] as ApiKeyRecord)?.Name ?? "-";
            var line = string.Create(CultureInfo.InvariantCulture,
                $"aisbx-request {{\"key\":{JsonSerializer.Serialize(key, ServerJsonContext.Default.String)},\"method\":\"{context.Request.Method}\",\"route\":{JsonSerializer.Serialize(context.Request.Path.Value ?? "", ServerJsonContext.Default.String)},\"status\":{context.Response.StatusCode},\"ms\":{Stopwatch.GetElapsedTime(started).TotalMilliseconds:0.0}}}");
            lock (Gate)
            {
                Console.Error.WriteLine(line);
            }
        }
    }
}
