using Microsoft.AspNetCore.Http;

namespace Aisbx.Server;

/// <summary>Headers on every response: no sniffing, no framing, no scripts or resources, no referrer, no caching; HSTS with TLS.</summary>
internal static class SecurityHeaders
{
    public static Task InvokeAsync(HttpContext context, Func<Task> next)
    {
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers.ContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
            headers["Referrer-Policy"] = "no-referrer";
            headers.CacheControl = "no-store";
            if (context.Request.IsHttps)
            {
                headers.StrictTransportSecurity = "max-age=31536000; includeSubDomains";
            }

            return Task.CompletedTask;
        });
        return next();
    }
}
