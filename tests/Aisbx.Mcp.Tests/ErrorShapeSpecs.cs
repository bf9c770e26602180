using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Aisbx.Mcp.Tests;

/// <summary>
/// Every error the server answers has the shape of the path asked, over real HTTP: the REST document
/// <c>{error, rule}</c> on <c>/v1</c> (and every path but MCP's), a JSON-RPC error on <c>/mcp</c>.
/// </summary>
public class ErrorShapeSpecs
{
    private static readonly string[] Everything = ["*"];
    private const string Initialize = """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}""";

    private static async Task<(int Status, JsonElement Body)> SendAsync(HttpClient client, HttpMethod method, string path, string? body, string? contentType = "application/json", Action<HttpRequestMessage>? shape = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
            if (contentType is not null)
            {
                request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
            }
        }

        request.Headers.Accept.ParseAdd("application/json, text/event-stream");
        shape?.Invoke(request);
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        if (response.Content.Headers.ContentType?.MediaType == "text/event-stream")
        {
            text = text.Split('\n').Last(l => l.StartsWith("data: ", StringComparison.Ordinal))[6..];
        }

        Assert.False(string.IsNullOrWhiteSpace(text), $"{method} {path} answered {(int)response.StatusCode} with no body");
        return ((int)response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    private static void AssertRest((int Status, JsonElement Body) reply, int status, string rule)
    {
        Assert.Equal(status, reply.Status);
        Assert.False(reply.Body.TryGetProperty("jsonrpc", out _), $"a JSON-RPC body on a REST path: {reply.Body}");
        Assert.Equal(rule, reply.Body.GetProperty("rule").GetString());
        Assert.False(string.IsNullOrEmpty(reply.Body.GetProperty("error").GetString()));
    }

    private static void AssertJsonRpc((int Status, JsonElement Body) reply, int status)
    {
        Assert.Equal(status, reply.Status);
        Assert.Equal("2.0", reply.Body.GetProperty("jsonrpc").GetString());
        Assert.True(reply.Body.GetProperty("error").GetProperty("code").GetInt32() < 0);
        Assert.False(string.IsNullOrEmpty(reply.Body.GetProperty("error").GetProperty("message").GetString()));
    }

    [Fact]
    public async Task Missing_keys_get_401_in_each_path_s_shape()
    {
        var (server, _) = await InProcessServer.StartAsync("", new Dictionary<string, string[]?> { ["ops"] = Everything });
        await using var _ = server;
        using var anonymous = server.Client();

        AssertRest(await SendAsync(anonymous, HttpMethod.Get, "/v1/profiles", null), 401, "auth");
        AssertRest(await SendAsync(anonymous, HttpMethod.Get, "/metrics", null), 401, "auth");
        AssertJsonRpc(await SendAsync(anonymous, HttpMethod.Post, "/mcp", Initialize), 401);
    }

    [Fact]
    public async Task A_foreign_host_gets_403_in_each_path_s_shape()
    {
        var (server, keys) = await InProcessServer.StartAsync("", new Dictionary<string, string[]?> { ["ops"] = Everything });
        await using var _ = server;
        using var ops = server.Client(keys["ops"]);
        void Rebind(HttpRequestMessage request) => request.Headers.Host = "evil.example.com";

        AssertRest(await SendAsync(ops, HttpMethod.Get, "/v1/profiles", null, shape: Rebind), 403, "host-origin");
        AssertJsonRpc(await SendAsync(ops, HttpMethod.Post, "/mcp", Initialize, shape: Rebind), 403);
    }

    [Fact]
    public async Task A_body_that_is_not_json_gets_415_and_one_too_large_413_in_each_path_s_shape()
    {
        var (server, keys) = await InProcessServer.StartAsync("", new Dictionary<string, string[]?> { ["ops"] = Everything });
        await using var _ = server;
        using var ops = server.Client(keys["ops"]);
        var huge = $$"""{"command":["echo","{{new string('a', 5 << 20)}}"]}""";
        void AskFirst(HttpRequestMessage request) => request.Headers.ExpectContinue = true;

        AssertRest(await SendAsync(ops, HttpMethod.Post, "/v1/runs", """{"command":["true"]}""", contentType: null), 415, "content-type");
        AssertJsonRpc(await SendAsync(ops, HttpMethod.Post, "/mcp", Initialize, contentType: "text/plain"), 415);
        AssertRest(await SendAsync(ops, HttpMethod.Post, "/v1/runs", huge, shape: AskFirst), 413, "body-size");
        AssertJsonRpc(await SendAsync(ops, HttpMethod.Post, "/mcp", huge, shape: AskFirst), 413);
    }

    [Fact]
    public async Task Malformed_json_gets_400_in_each_path_s_shape()
    {
        var (server, keys) = await InProcessServer.StartAsync("", new Dictionary<string, string[]?> { ["ops"] = Everything });
        await using var _ = server;
        using var ops = server.Client(keys["ops"]);

        AssertRest(await SendAsync(ops, HttpMethod.Post, "/v1/runs", """{"command":["echo" """), 400, "json");
        AssertRest(await SendAsync(ops, HttpMethod.Post, "/v1/runs", """{"command":["a"],"command":["b"]}"""), 400, "json");
        AssertRest(await SendAsync(ops, HttpMethod.Post, "/v1/builds", """{"profile":"default","profile":"strict"}"""), 400, "json");
        AssertJsonRpc(await SendAsync(ops, HttpMethod.Post, "/mcp", """{"jsonrpc":"2.0","id":1,"method":"initi"""), 400);
    }

    [Fact]
    public async Task Unknown_paths_and_methods_get_the_rest_shape()
    {
        var (server, keys) = await InProcessServer.StartAsync("", new Dictionary<string, string[]?> { ["ops"] = Everything });
        await using var _ = server;
        using var ops = server.Client(keys["ops"]);

        AssertRest(await SendAsync(ops, HttpMethod.Get, "/v1/nothing-here", null), 404, "not-found");
        AssertRest(await SendAsync(ops, HttpMethod.Get, "/v1/runs", null), 405, "method");
    }

    [Fact]
    public async Task Going_over_the_rate_limit_gets_429_in_each_path_s_shape()
    {
        var (server, keys) = await InProcessServer.StartAsync("[server]\nrequests_per_minute = 1\n",
            new Dictionary<string, string[]?> { ["rest"] = Everything, ["mcp"] = Everything });
        await using var _ = server;
        using var rest = server.Client(keys["rest"]);
        using var mcp = server.Client(keys["mcp"]);

        await SendAsync(rest, HttpMethod.Get, "/v1/profiles", null);
        await SendAsync(mcp, HttpMethod.Post, "/mcp", Initialize);

        AssertRest(await SendAsync(rest, HttpMethod.Get, "/v1/profiles", null), 429, "rate-limit");
        AssertJsonRpc(await SendAsync(mcp, HttpMethod.Post, "/mcp", Initialize), 429);
    }

    [Fact]
    public async Task A_locked_out_address_gets_429_in_each_path_s_shape()
    {
        var (server, keys) = await InProcessServer.StartAsync("[server]\nauth_failures_before_lockout = 1\n", new Dictionary<string, string[]?> { ["ops"] = Everything });
        await using var _ = server;
        using var wrong = server.Client("aisbx_guess");
        using var ops = server.Client(keys["ops"]);

        AssertRest(await SendAsync(wrong, HttpMethod.Get, "/v1/profiles", null), 401, "auth");

        AssertRest(await SendAsync(ops, HttpMethod.Get, "/v1/profiles", null), 429, "address-lockout");
        AssertJsonRpc(await SendAsync(ops, HttpMethod.Post, "/mcp", Initialize), 429);
    }

    [Fact]
    public async Task A_rest_refusal_names_the_body_s_fields()
    {
        var (server, keys) = await InProcessServer.StartAsync("", new Dictionary<string, string[]?> { ["ops"] = Everything });
        await using var _ = server;
        using var ops = server.Client(keys["ops"]);

        var timeout = await SendAsync(ops, HttpMethod.Post, "/v1/runs", """{"command":["true"],"timeout":"10h"}""");
        var unknown = await SendAsync(ops, HttpMethod.Post, "/v1/runs", """{"command":["true"],"mystery":1}""");
        var profile = await SendAsync(ops, HttpMethod.Post, "/v1/builds", """{"profile":"no-such"}""");

        AssertRest(timeout, 400, "limit-above-profile");
        Assert.Equal("refused (limit-above-profile): 'timeout' 10h is above what profile 'default' allows (30s): ask for at most 30s, or use a profile that allows more", timeout.Body.GetProperty("error").GetString());
        AssertRest(unknown, 400, "arguments");
        Assert.StartsWith("refused (arguments): unknown field 'mystery': POST /v1/runs takes ", unknown.Body.GetProperty("error").GetString(), StringComparison.Ordinal);
        AssertRest(profile, 400, "profile-unknown");
    }

    [Fact]
    public async Task A_host_fault_during_a_run_is_one_line_without_its_details_on_rest_and_mcp()
    {
        var blocker = Path.GetTempFileName();
        var (server, keys) = await InProcessServer.StartAsync("", new Dictionary<string, string[]?> { ["ops"] = Everything },
            adjust: config => config with { WorkspaceBase = Path.Combine(blocker, "workspaces") });
        await using var _ = server;
        using var ops = server.Client(keys["ops"]);
        using var mcp = new McpHttp(new Uri(server.BaseUrl, "/mcp"), keys["ops"]);
        await mcp.InitializeAsync();

        var rest = await SendAsync(ops, HttpMethod.Post, "/v1/runs", """{"command":["true"]}""");
        var (_, tool) = await mcp.PostAsync("""{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"aisbx-run","arguments":{"command":["true"]}}}""");

        AssertRest(rest, 400, "error");
        var text = tool!.Value.GetProperty("result").GetProperty("content")[0].GetProperty("text").GetString()!;
        Assert.True(tool.Value.GetProperty("result").GetProperty("isError").GetBoolean());
        Assert.StartsWith("the run failed inside aisbx (DirectoryNotFoundException): retry", text, StringComparison.Ordinal);
        Assert.Equal(text, rest.Body.GetProperty("error").GetString());
        Assert.DoesNotContain(blocker, rest.Body.GetRawText(), StringComparison.Ordinal);
        File.Delete(blocker);
    }
}
