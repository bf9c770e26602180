using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Aisbx.Core.Runs;
using Aisbx.Core.Sandboxes;
using Aisbx.Core.Security;
using Aisbx.Service;
using Aisbx.Service.Sandboxes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Aisbx.Server;

/// <summary>
/// Live sandboxes over REST (scope <c>run</c>), every endpoint a thin call of <see cref="SandboxService"/>:
/// <c>POST /v1/sandboxes</c> → 201, <c>GET /v1/sandboxes[/{id}]</c>, <c>POST …/{id}/exec</c> (the result document,
/// or 202 with the process id for <c>background</c>), <c>GET …/processes/{pid}?offset=&amp;stderrOffset=&amp;wait=</c>,
/// <c>POST …/processes/{pid}/stdin</c> (raw body, <c>?close=true</c>) and <c>…/signal</c>, <c>PUT|GET|DELETE
/// …/files/{*path}</c> (raw bytes; a directory lists as JSON), <c>DELETE /v1/sandboxes/{id}</c> → 204. Errors are
/// <c>{error, rule}</c>: 404 for a handle that is not the caller's, 410 for one that ended (with why), 429 over a cap.
/// </summary>
internal static class SandboxApi
{
    private static readonly JsonVocabulary CreateWords = JsonVocabulary.Rest.For("POST /v1/sandboxes");
    private static readonly JsonVocabulary ExecWords = JsonVocabulary.Rest.For("POST /v1/sandboxes/{id}/exec");

    public static void Map(IEndpointRouteBuilder app, ServiceContext context)
    {
        var sandboxes = context.Sandboxes;

        app.MapPost("/v1/sandboxes", async (HttpContext http) =>
        {
            if (await RestBodies.ReadObject(http) is { } arguments)
            {
                await Answer(http, await sandboxes.CreateAsync(RestApi.Caller(http), arguments, CreateWords, http.RequestAborted), AisbxJsonContext.Default.SandboxCreated, 201);
            }
        });

        app.MapGet("/v1/sandboxes", async (HttpContext http) =>
            await Answer(http, await sandboxes.ListAsync(RestApi.Caller(http), http.RequestAborted), AisbxJsonContext.Default.SandboxList));

        app.MapGet("/v1/sandboxes/{id}", async (HttpContext http, string id) =>
            await Answer(http, await sandboxes.StatusAsync(RestApi.Caller(http), id, http.RequestAborted), AisbxJsonContext.Default.SandboxStatus));

        app.MapDelete("/v1/sandboxes/{id}", async (HttpContext http, string id) =>
            await NoContent(http, await sandboxes.CloseAsync(RestApi.Caller(http), id, http.RequestAborted)));

        app.MapPost("/v1/sandboxes/{id}/exec", async (HttpContext http, string id) =>
        {
            if (await RestBodies.ReadObject(http) is not { } arguments)
            {
                return;
            }

            var outcome = await sandboxes.ExecAsync(RestApi.Caller(http), id, arguments, ExecWords, http.RequestAborted);
            if (outcome.Succeeded && outcome.Value.Background is { } started)
            {
                await Write(http, 202, JsonSerializer.Serialize(started, AisbxJsonContext.Default.BackgroundStarted));
                return;
            }

            await Answer(http, Map(outcome, answer => answer.Result!), AisbxJsonContext.Default.RunResult);
        });

        app.MapGet("/v1/sandboxes/{id}/processes/{pid:int}", async (HttpContext http, string id, int pid) =>
        {
            var caller = RestApi.Caller(http);
            if (Query(http, "wait") == "true")
            {
                var waited = await sandboxes.WaitProcessAsync(caller, id, pid, http.RequestAborted);
                if (!waited.Succeeded)
                {
                    await Answer(http, waited, AisbxJsonContext.Default.RunResult);
                    return;
                }
            }

            if (!TryOffset(http, "offset", out var offset) || !TryOffset(http, "stderrOffset", out var stderrOffset))
            {
                await RestApi.Error(http, 400, "refused (arguments): 'offset' and 'stderrOffset' are byte offsets: whole numbers from 0, as the last read returned", ServiceRules.Arguments);
                return;
            }

            await Answer(http, await sandboxes.ReadProcessAsync(caller, id, pid, offset, stderrOffset, http.RequestAborted), AisbxJsonContext.Default.ProcessOutput);
        });

        app.MapPost("/v1/sandboxes/{id}/processes/{pid:int}/stdin", async (HttpContext http, string id, int pid) =>
        {
            var bytes = await RestBodies.ReadBytes(http);
            await NoContent(http, await sandboxes.WriteStdinAsync(RestApi.Caller(http), id, pid, bytes, Query(http, "close") == "true", http.RequestAborted));
        });

        app.MapPost("/v1/sandboxes/{id}/processes/{pid:int}/signal", async (HttpContext http, string id, int pid) =>
        {
            if (await RestBodies.ReadObject(http) is not { } arguments)
            {
                return;
            }

            if (arguments.Count != 1 || !arguments.TryGetValue("signal", out var signal) || signal.ValueKind is not (JsonValueKind.String or JsonValueKind.Number))
            {
                await RestApi.Error(http, 400, "refused (arguments): send {\"signal\": \"TERM\"} (a name such as TERM, INT, KILL, or its number)", ServiceRules.Arguments);
                return;
            }

            var name = signal.ValueKind == JsonValueKind.String ? signal.GetString()! : signal.GetRawText();
            await NoContent(http, await sandboxes.SignalAsync(RestApi.Caller(http), id, pid, name, http.RequestAborted));
        });

        app.MapPut("/v1/sandboxes/{id}/files/{**path}", async (HttpContext http, string id, string path) =>
        {
            if (!TryMode(Query(http, "mode"), out var mode))
            {
                await RestApi.Error(http, 400, "refused (arguments): 'mode' is octal permission bits, like 0644 or 755", ServiceRules.Arguments);
                return;
            }

            var bytes = await RestBodies.ReadBytes(http);
            await NoContent(http, await sandboxes.WriteFileAsync(RestApi.Caller(http), id, path, bytes, mode, http.RequestAborted));
        });

        app.MapGet("/v1/sandboxes/{id}/files/{**path}", async (HttpContext http, string id, string path) =>
        {
            var outcome = await sandboxes.ReadFileAsync(RestApi.Caller(http), id, path, http.RequestAborted);
            if (outcome.Succeeded && outcome.Value.Bytes is { } bytes)
            {
                http.Response.StatusCode = 200;
                http.Response.ContentType = "application/octet-stream";
                http.Response.ContentLength = bytes.Length;
                await http.Response.Body.WriteAsync(bytes, http.RequestAborted);
                return;
            }

            await Answer(http, Map(outcome, content => content.Listing!), AisbxJsonContext.Default.FileListing);
        });

        app.MapDelete("/v1/sandboxes/{id}/files/{**path}", async (HttpContext http, string id, string path) =>
            await NoContent(http, await sandboxes.RemoveFileAsync(RestApi.Caller(http), id, path, http.RequestAborted)));
    }

    /// <summary>The status a refusal gets here: 404 unknown, 410 ended, 429 over a cap, 403 scope, 413 a full workspace, else 400.</summary>
    public static int StatusOf(string? rule) => rule switch
    {
        SandboxService.NotFound or "process-not-found" => 404,
        SandboxService.Ended => 410,
        "sandbox-cap" or "sandbox-cap-total" or "sandbox-rate" or "stdin-full" or ServiceRules.Busy or CallerLockout.Rule => 429,
        ServiceRules.Scope => 403,
        "workspace-full" => 413,
        _ => 400,
    };

    private static Task Answer<T>(HttpContext http, ServiceOutcome<T> outcome, JsonTypeInfo<T> shape, int status = 200)
        where T : class
    {
        if (outcome.Succeeded)
        {
            return Write(http, status, JsonSerializer.Serialize(outcome.Value, shape));
        }

        return Refuse(http, outcome.Rule, outcome.Refusal);
    }

    private static Task Refuse(HttpContext http, string rule, string refusal)
    {
        var code = StatusOf(rule);
        if (code == 429)
        {
            http.Response.Headers.RetryAfter = rule is CallerLockout.Rule or "sandbox-rate" ? "60" : rule == "stdin-full" ? "1" : "5";
        }

        return RestApi.Error(http, code, refusal, rule);
    }

    private static Task NoContent(HttpContext http, ServiceOutcome<Done> outcome)
    {
        if (outcome.Succeeded)
        {
            http.Response.StatusCode = 204;
            return Task.CompletedTask;
        }

        return Refuse(http, outcome.Rule, outcome.Refusal);
    }

    private static ServiceOutcome<TOut> Map<TIn, TOut>(ServiceOutcome<TIn> outcome, Func<TIn, TOut> select)
        where TIn : class
        where TOut : class =>
        outcome.Succeeded ? ServiceOutcome.Ok(select(outcome.Value)) : ServiceOutcome.Refused<TOut>(outcome.Rule, outcome.Refusal);

    private static string? Query(HttpContext http, string name) => http.Request.Query.TryGetValue(name, out var value) ? value.ToString() : null;

    private static bool TryOffset(HttpContext http, string name, out long offset)
    {
        offset = 0;
        return Query(http, name) is not { } text || (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out offset) && offset >= 0);
    }

    private static bool TryMode(string? text, out uint mode)
    {
        mode = 0x1A4; // 0644
        if (text is null)
        {
            return true;
        }

        try
        {
            mode = Convert.ToUInt32(text, 8);
            return text.Length is > 0 and <= 4 && mode <= 0x1FF;
        }
        catch (FormatException)
        {
            return false;
        }
        catch (OverflowException)
        {
            return false;
        }
    }

    private static Task Write(HttpContext http, int status, string json)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        return http.Response.WriteAsync(json);
    }
}
