using System.Globalization;
using System.Net;
using System.Security.Claims;
using Aisbx.Core.Security;
using Aisbx.Service;
using Microsoft.AspNetCore.Http;

namespace Aisbx.Server;

/// <summary>
/// API keys, once any exist: every request but <c>/healthz</c> (and <c>/metrics</c> when configured public) needs
/// <c>Authorization: Bearer KEY</c> or <c>X-API-Key: KEY</c>; otherwise 401 with <c>WWW-Authenticate</c>. Each
/// failure is an event (audited, counted); an address that keeps failing is locked out for a while (429 with
/// Retry-After), and that decision is an event too. A valid key becomes the request's user: its name and scopes.
/// </summary>
internal sealed class ApiKeyAuthentication(ApiKeys keys, CallerLockout addressLockout, ISecurityEventSink events, bool metricsPublic)
{
    public const string KeyItem = "aisbx.key";

    public async Task InvokeAsync(HttpContext context, Func<Task> next)
    {
        var path = context.Request.Path;
        if (path == "/healthz" || (metricsPublic && path == "/metrics"))
        {
            await next().ConfigureAwait(false);
            return;
        }

        // Read per request, so that a key created or revoked takes effect at once; read once.
        var records = keys.List();
        if (!ApiKeys.AnyLive(records))
        {
            await next().ConfigureAwait(false);
            return;
        }

        var address = "ip:" + (context.Connection.RemoteIpAddress ?? IPAddress.None);
        try
        {
            addressLockout.EnsureAllowed(address);
        }
        catch (Core.Policy.PolicyRefusal)
        {
            var until = TimeSpan.FromMinutes(1);
            context.Response.Headers.RetryAfter = ((int)until.TotalSeconds).ToString(CultureInfo.InvariantCulture);
            await ErrorReply.WriteAsync(context, StatusCodes.Status429TooManyRequests, "address-lockout", -32000, "too many failed authentications from this address: wait, then retry with a valid key").ConfigureAwait(false);
            return;
        }

        var (record, rejection) = keys.Authenticate(Presented(context.Request), records);
        if (record is null)
        {
            var failure = new SecurityEvent(SecurityEventKind.AuthFailure, $"{Describe(rejection)} on {path}", Severity.Medium, "refused", null, "-", address, DateTimeOffset.UtcNow);
            events.Publish(failure);
            if (addressLockout.Observe(failure) is { } locked)
            {
                events.Publish(locked with { Kind = SecurityEventKind.Suspension, Action = "address-locked-out" });
            }

            context.Response.Headers.WWWAuthenticate = "Bearer realm=\"aisbx\"";
            await ErrorReply.WriteAsync(context, StatusCodes.Status401Unauthorized, "auth", -32001, $"{Describe(rejection)}: send 'Authorization: Bearer KEY' or 'X-API-Key: KEY' with a live key").ConfigureAwait(false);
            return;
        }

        context.Items[KeyItem] = record;
        context.User = new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim(CallerIdentity.KeyClaim, record.Name), new Claim(ClaimTypes.NameIdentifier, record.Name), .. record.Scopes.Select(s => new Claim(CallerIdentity.ScopeClaim, s))],
            authenticationType: "aisbx-api-key"));
        await next().ConfigureAwait(false);
    }

    private static string? Presented(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return authorization["Bearer ".Length..].Trim();
        }

        var header = request.Headers["X-API-Key"].ToString();
        return header.Length > 0 ? header.Trim() : null;
    }

    private static string Describe(KeyRejection? rejection) => rejection switch
    {
        KeyRejection.Missing => "no API key",
        KeyRejection.Revoked => "a revoked API key",
        KeyRejection.Expired => "an expired API key",
        _ => "an unknown API key",
    };
}
