using System.Text.Json;
using Aisbx.Core.Security;
using Aisbx.Service;
using Aisbx.Service.Builds;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Aisbx.Server;

/// <summary>
/// Builds over REST (scope <c>build</c>), as jobs that outlive the request: <c>POST /v1/builds {profile, force?}</c> →
/// 202 with the job and <c>Location: /v1/builds/{id}</c> (a second POST for a profile being built joins that job and
/// gets its id); <c>GET /v1/builds/{id}</c> → the job's state, progress, log tail and outcome. A job that is not the
/// caller's key's is 404, in the same words as one that does not exist.
/// </summary>
internal static class BuildApi
{
    private static readonly JsonVocabulary StartWords = JsonVocabulary.Rest.For("POST /v1/builds");

    public static void Map(IEndpointRouteBuilder app, ServiceContext context)
    {
        var builds = context.Builds;

        app.MapPost("/v1/builds", async (HttpContext http) =>
        {
            if (await RestBodies.ReadObject(http) is not { } arguments)
            {
                return;
            }

            var outcome = builds.Start(RestApi.Caller(http), arguments, StartWords);
            if (outcome.Succeeded)
            {
                http.Response.Headers.Location = "/v1/builds/" + outcome.Value.Id;
            }

            await Answer(http, outcome, 202);
        });

        app.MapGet("/v1/builds/{id}", (HttpContext http, string id) => Answer(http, builds.Status(RestApi.Caller(http), id), 200));
    }

    private static Task Answer(HttpContext http, ServiceOutcome<BuildJobStatus> outcome, int status)
    {
        if (outcome.Succeeded)
        {
            http.Response.StatusCode = status;
            http.Response.ContentType = "application/json";
            return http.Response.WriteAsync(JsonSerializer.Serialize(outcome.Value, ServiceJsonContext.Default.BuildJobStatus));
        }

        var code = outcome.Rule switch
        {
            BuildService.NotFound => 404,
            ServiceRules.Scope => 403,
            ServiceRules.Busy or CallerLockout.Rule => 429,
            _ => 400,
        };
        if (code == 429)
        {
            http.Response.Headers.RetryAfter = outcome.Rule == CallerLockout.Rule ? "60" : "5";
        }

        return RestApi.Error(http, code, outcome.Refusal, outcome.Rule);
    }
}
