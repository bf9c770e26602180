using System.Text.Json;
using Aisbx.Core.Runs;
using Aisbx.Core.Security;
using Aisbx.Service;
using Aisbx.Service.Profiles;
using Aisbx.Service.Runs;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Aisbx.Server;

/// <summary>
/// The REST API beside MCP, behind the same controls and over the same services: <c>POST /v1/runs</c> (the
/// aisbx-run arguments in, the result document out), <c>GET /v1/profiles</c>, builds as jobs
/// (<see cref="BuildApi"/>), live sandboxes (<see cref="SandboxApi"/>), <c>GET /healthz</c>, <c>GET /metrics</c>. Refusals are 400 (policy, arguments), 403 (scope) or 429 (busy), each
/// with the rule and the fix; every error, here or from the controls in front, is the document <c>{error, rule}</c>.
/// </summary>
internal static class RestApi
{
    private static readonly JsonVocabulary ProfileWords = JsonVocabulary.Rest.For("GET /v1/profiles");

    public static void Map(IEndpointRouteBuilder app, ServiceContext context, ServerMetrics metrics)
    {
        var runs = new RunService(context);
        var profiles = new ProfileService(context);

        app.MapPost("/v1/runs", async (HttpContext http) =>
        {
            if (await RestBodies.ReadObject(http) is not { } arguments)
            {
                return;
            }

            var outcome = await runs.RunAsync(arguments, Caller(http), JsonVocabulary.Rest, null, http.RequestAborted);
            await Answer(http, outcome, AisbxJsonContext.Default.RunResult);
        });

        app.MapGet("/v1/profiles", (HttpContext http) =>
            Answer(http, profiles.List(Caller(http), null, ProfileWords), ServiceJsonContext.Default.ProfileListing));

        BuildApi.Map(app, context);
        SandboxApi.Map(app, context);

        // A RequestDelegate by type: as a lambda, the request delegate generator (10.0.12) takes it for a Delegate
        // handler and emits an interceptor the compiler refuses (CS9144).
        RequestDelegate health = http =>
            Write(http, 200, JsonSerializer.Serialize(new HealthDocument("ok", context.Runs.Count), ServerJsonContext.Default.HealthDocument));
        app.MapGet("/healthz", health);

        app.MapGet("/metrics", async (HttpContext http) =>
        {
            var caller = Caller(http);
            if (!caller.Allows(Scopes.Metrics) && http.User.Identity?.IsAuthenticated == true)
            {
                await Error(http, 403, caller.ScopeRefusal(Scopes.Metrics), ServiceRules.Scope);
                return;
            }

            http.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
            await metrics.WriteAsync(http.Response.Body, http.RequestAborted);
        });
    }

    /// <summary>The caller: its API key, or where no keys exist, its address.</summary>
    internal static CallerIdentity Caller(HttpContext http) => CallerIdentity.From(http.User, "http:" + http.Connection.RemoteIpAddress);

    /// <summary>The value as 200, or the refusal: 403 for a scope, 429 with Retry-After for busy and locked-out callers, else 400.</summary>
    private static Task Answer<T>(HttpContext http, ServiceOutcome<T> outcome, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> shape)
        where T : class
    {
        if (outcome.Succeeded)
        {
            return Write(http, 200, JsonSerializer.Serialize(outcome.Value, shape));
        }

        var later = outcome.Busy || outcome.Rule == CallerLockout.Rule;
        if (later)
        {
            http.Response.Headers.RetryAfter = outcome.Busy ? "5" : "60";
        }

        return Error(http, outcome.Rule == ServiceRules.Scope ? 403 : later ? 429 : 400, outcome.Refusal, outcome.Rule);
    }

    internal static Task Error(HttpContext http, int status, string message, string rule) =>
        ErrorReply.WriteAsync(http, status, rule, -32000, message);

    private static Task Write(HttpContext http, int status, string json)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        return http.Response.WriteAsync(json);
    }
}
