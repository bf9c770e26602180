using System.Globalization;
using System.Threading.RateLimiting;
using Aisbx.Core.Configuration;
using Aisbx.Core.Security;
using Aisbx.Service.Limits;
using Microsoft.AspNetCore.Http;

namespace Aisbx.Server;

/// <summary>
/// Requests a minute per key (without keys, an open loopback server, per address), in a sliding window: a burst
/// cannot straddle a window boundary to get twice the limit. /healthz is not limited. Over it: 429 with
/// Retry-After, and a security event. This is a middleware of its own rather than ASP.NET Core's rate limiter,
/// whose endpoint limiter wakes a thread every 100 ms even with no endpoint policy (an idle server must not).
/// </summary>
internal sealed class RequestRateLimit(ServerSettings settings, ISecurityEventSink events) : IDisposable
{
    private readonly QuietPartitionedLimiter<HttpContext> _limiter = new(Partition, _ => new SlidingWindowRateLimiter(new SlidingWindowRateLimiterOptions
    {
        PermitLimit = settings.RequestsPerMinute,
        Window = TimeSpan.FromMinutes(1),
        SegmentsPerWindow = 6,
        QueueLimit = 0,
    }));

    public Task InvokeAsync(HttpContext http, RequestDelegate next)
    {
        if (http.Request.Path == "/healthz")
        {
            return next(http);
        }

        using var lease = _limiter.AttemptAcquire(http);
        return lease.IsAcquired ? next(http) : RejectAsync(http, lease);
    }

    private Task RejectAsync(HttpContext http, RateLimitLease lease)
    {
        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
        http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        events.Publish(new SecurityEvent(SecurityEventKind.RateLimited, $"over {settings.RequestsPerMinute} requests a minute on {http.Request.Path}",
            Severity.Low, "refused", null, "-", Partition(http), DateTimeOffset.UtcNow));
        return ErrorReply.WriteAsync(http, StatusCodes.Status429TooManyRequests, "rate-limit", -32000,
            $"over {settings.RequestsPerMinute} requests a minute: retry after the time in Retry-After");
    }

    /// <summary>Rate limits are per key; without keys (an open loopback server), per address.</summary>
    private static string Partition(HttpContext http) =>
        http.Items[ApiKeyAuthentication.KeyItem] is ApiKeyRecord key ? "key:" + key.Name : "ip:" + http.Connection.RemoteIpAddress;

    public void Dispose() => _limiter.Dispose();
}
