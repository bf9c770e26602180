using System.Text.Json;
using Aisbx.Core;
using Aisbx.Core.Runs;
using Aisbx.Mcp;
using Aisbx.Service;
using Aisbx.Service.Runs;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Aisbx.Server;

/// <summary>
/// The REST API beside MCP, behind the same controls: <c>POST /v1/runs</c> (the aisbx-run arguments in, the result
/// document out), <c>GET /v1/profiles</c>, <c>POST /v1/builds</c>, <c>GET /healthz</c>, <c>GET /metrics</c>.
/// Refusals are 400 (policy, arguments), 403 (scope) or 429 (busy), each with the rule and the fix; every error,
/// here or from the controls in front, is the document <c>{error, rule}</c>.
/// </summary>
internal static class RestApi
{
    public static void Map(IEndpointRouteBuilder app, ServiceContext context, ServerMetrics metrics)
    {
        var runs = new RunService(context);

        app.MapPost("/v1/runs", async (HttpContext http) =>
        {
            if (await ReadObject(http) is not { } arguments)
            {
                return;
            }

            var caller = CallerIdentity.From(http.User, "http:" + http.Connection.RemoteIpAddress);
            var outcome = await runs.RunAsync(arguments, caller, JsonVocabulary.Rest, null, http.RequestAborted);
            if (outcome.Result is { } result)
            {
                await Write(http, 200, JsonSerializer.Serialize(result, AisbxJsonContext.Default.RunResult));
                return;
            }

            // Busy and locked-out callers are told to come back later; other refusals are the request's fault.
            var later = outcome.Busy || outcome.Rule == Core.Security.CallerLockout.Rule;
            if (later)
            {
                http.Response.Headers.RetryAfter = outcome.Busy ? "5" : "60";
            }

            await Error(http, outcome.Rule == "scope" ? 403 : later ? 429 : 400, outcome.Refusal!, outcome.Rule ?? "refused");
        });

        app.MapGet("/v1/profiles", async (HttpContext http) =>
        {
            var caller = CallerIdentity.From(http.User, "http");
            if (!caller.Allows("read"))
            {
                await Error(http, 403, caller.ScopeRefusal("read"), "scope");
                return;
            }

            await Guarded(http, context, () => JsonSerializer.Serialize(ProfileListTool.List(context), McpJsonContextAccess.ProfileListing));
        });

        app.MapPost("/v1/builds", async (HttpContext http) =>
        {
            if (await ReadObject(http) is not { } arguments)
            {
                return;
            }

            var caller = CallerIdentity.From(http.User, "http");
            if (!caller.Allows("build"))
            {
                await Error(http, 403, caller.ScopeRefusal("build"), "scope");
                return;
            }

            if (!arguments.TryGetValue("profile", out var profile) || profile.ValueKind != JsonValueKind.String)
            {
                await Error(http, 400, "'profile' is required and must be a string, e.g. {\"profile\": \"python-dev\"}", "arguments");
                return;
            }

            if (arguments.Keys.FirstOrDefault(k => k != "profile") is { } unknown)
            {
                await Error(http, 400, $"unknown field '{unknown}': POST /v1/builds takes only 'profile'", "arguments");
                return;
            }

            await Guarded(http, context, () => JsonSerializer.Serialize(BuildTool.Prepare(context, profile.GetString()!), McpJsonContextAccess.BuildReport));
        });

        app.MapGet("/healthz", (HttpContext http) =>
            Write(http, 200, JsonSerializer.Serialize(new HealthDocument("ok", context.Runs.Count), ServerJsonContext.Default.HealthDocument)));

        app.MapGet("/metrics", async (HttpContext http) =>
        {
            var caller = CallerIdentity.From(http.User, "http");
            if (!caller.Allows("metrics") && http.User.Identity?.IsAuthenticated == true)
            {
                await Error(http, 403, caller.ScopeRefusal("metrics"), "scope");
                return;
            }

            http.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
            await metrics.WriteAsync(http.Response.Body, http.RequestAborted);
        });
    }

    /// <summary>The body as a JSON object, or a 400 that says what is wrong with it.</summary>
    private static async Task<Dictionary<string, JsonElement>?> ReadObject(HttpContext http)
    {
        try
        {
            using var document = await JsonDocument.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                var fields = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
                foreach (var property in document.RootElement.EnumerateObject())
                {
                    if (!fields.TryAdd(property.Name, property.Value.Clone()))
                    {
                        await Error(http, 400, $"the body has the field '{Printable(property.Name)}' twice: send each field once", "json");
                        return null;
                    }
                }

                return fields;
            }
        }
        catch (JsonException)
        {
        }

        await Error(http, 400, "the body is not a JSON object: send e.g. {\"command\": [\"echo\", \"hi\"]}", "json");
        return null;
    }

    private static string Printable(string name) => new([.. name.Take(60).Select(c => char.IsControl(c) || c == '\'' ? '?' : c)]);

    private static async Task Guarded(HttpContext http, ServiceContext context, Func<string> answer)
    {
        string body;
        try
        {
            body = answer();
        }
        catch (Core.Policy.PolicyRefusal refusal)
        {
            await Error(http, 400, context.Scrub(refusal.PublicMessageIn(JsonVocabulary.Rest)), refusal.Rule);
            return;
        }
        catch (AisbxException ex)
        {
            await Error(http, 400, context.Scrub(ex.Message), "refused");
            return;
        }

        await Write(http, 200, body);
    }

    private static Task Error(HttpContext http, int status, string message, string rule) =>
        ErrorReply.WriteAsync(http, status, rule, -32000, message);

    private static Task Write(HttpContext http, int status, string json)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        return http.Response.WriteAsync(json);
    }
}
