using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Aisbx.Mcp.Tests.Sandboxes;

/// <summary>Live sandboxes over the REST API, on a real server over HTTP on 127.0.0.1, with real sandboxes behind it.</summary>
public class SandboxRestSpecs
{
    private static readonly string[] Everything = ["*"];
    private static readonly string[] ReadOnly = ["read"];

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task A_client_creates_a_sandbox_moves_files_runs_commands_and_closes_it()
    {
        // Arrange
        var (server, keys) = await InProcessServer.StartAsync("", new Dictionary<string, string[]?> { ["agent"] = Everything });
        await using var _ = server;
        using var client = server.Client(keys["agent"]);

        // Act
        var created = await client.PostAsync("/v1/sandboxes", Json("""{"profile": "python-dev", "idleTimeout": "5m"}"""), Cancel);
        var sandbox = await created.Content.ReadFromJsonAsync<JsonElement>(Cancel);
        var id = sandbox.GetProperty("sandboxId").GetString()!;
        var put = await client.PutAsync($"/v1/sandboxes/{id}/files/src/main.py", new ByteArrayContent("print(open('data.bin','rb').read()[1])"u8.ToArray()), Cancel);
        var binary = await client.PutAsync($"/v1/sandboxes/{id}/files/src/data.bin", new ByteArrayContent([0, 255, 10, 13]), Cancel);
        var exec = await client.PostAsync($"/v1/sandboxes/{id}/exec", Json("""{"command": ["python3", "main.py"], "cwd": "src"}"""), Cancel);
        var result = await exec.Content.ReadFromJsonAsync<JsonElement>(Cancel);
        var back = await client.GetByteArrayAsync($"/v1/sandboxes/{id}/files/src/data.bin", Cancel);
        var listing = await client.GetFromJsonAsync<JsonElement>($"/v1/sandboxes/{id}/files/src", Cancel);
        var status = await client.GetFromJsonAsync<JsonElement>($"/v1/sandboxes/{id}", Cancel);
        var list = await client.GetFromJsonAsync<JsonElement>("/v1/sandboxes", Cancel);
        var closed = await client.DeleteAsync($"/v1/sandboxes/{id}", Cancel);
        var after = await client.PostAsync($"/v1/sandboxes/{id}/exec", Json("""{"command": ["true"]}"""), Cancel);
        var afterBody = await after.Content.ReadFromJsonAsync<JsonElement>(Cancel);

        // Assert
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.StartsWith("sbx-", id, StringComparison.Ordinal);
        Assert.Equal(36, id.Length);
        Assert.Equal(300, sandbox.GetProperty("idleTimeout").GetDouble());
        Assert.Equal(HttpStatusCode.NoContent, put.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, binary.StatusCode);
        Assert.Equal("255\n", result.GetProperty("stdout").GetString());
        Assert.Equal(id, result.GetProperty("sandboxId").GetString());
        Assert.Equal(new byte[] { 0, 255, 10, 13 }, back);
        Assert.Equal(["data.bin", "main.py"], listing.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("name").GetString()));
        Assert.Equal("running", status.GetProperty("state").GetString());
        Assert.True(status.GetProperty("memoryBytes").ValueKind == JsonValueKind.Null || status.GetProperty("memoryBytes").GetInt64() > 0);
        Assert.Equal(id, Assert.Single(list.GetProperty("sandboxes").EnumerateArray()).GetProperty("sandboxId").GetString());
        Assert.Equal(HttpStatusCode.NoContent, closed.StatusCode);
        Assert.Equal(HttpStatusCode.Gone, after.StatusCode);
        Assert.Equal("sandbox-ended", afterBody.GetProperty("rule").GetString());
        Assert.Contains("was closed", afterBody.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Contains("create a new sandbox", afterBody.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_background_process_is_read_with_offsets_fed_on_stdin_signalled_and_waited_for()
    {
        // Arrange
        var (server, keys) = await InProcessServer.StartAsync("", new Dictionary<string, string[]?> { ["agent"] = Everything });
        await using var _ = server;
        using var client = server.Client(keys["agent"]);
        var id = await CreateAsync(client);

        // Act
        var started = await client.PostAsync($"/v1/sandboxes/{id}/exec", Json("""{"command": ["sh", "-c", "echo ready; read line; echo got $line; trap 'echo bye; exit 7' TERM; while :; do sleep 0.05; done"], "background": true}"""), Cancel);
        var pid = (await started.Content.ReadFromJsonAsync<JsonElement>(Cancel)).GetProperty("processId").GetInt32();
        var first = await PollAsync(client, $"/v1/sandboxes/{id}/processes/{pid}?offset=0", "ready");
        var stdin = await client.PostAsync($"/v1/sandboxes/{id}/processes/{pid}/stdin", new ByteArrayContent("hello\n"u8.ToArray()), Cancel);
        var second = await PollAsync(client, $"/v1/sandboxes/{id}/processes/{pid}?offset={first.GetProperty("offset").GetInt64()}", "got hello");
        var signal = await client.PostAsync($"/v1/sandboxes/{id}/processes/{pid}/signal", Json("""{"signal": "TERM"}"""), Cancel);
        var ended = await client.GetFromJsonAsync<JsonElement>($"/v1/sandboxes/{id}/processes/{pid}?wait=true&offset={second.GetProperty("offset").GetInt64()}", Cancel);

        // Assert
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        Assert.Equal("ready\n", first.GetProperty("stdout").GetString());
        Assert.Equal(HttpStatusCode.NoContent, stdin.StatusCode);
        Assert.Equal("got hello\n", second.GetProperty("stdout").GetString());
        Assert.Equal(HttpStatusCode.NoContent, signal.StatusCode);
        Assert.False(ended.GetProperty("running").GetBoolean());
        Assert.Equal(7, ended.GetProperty("exitCode").GetInt32());
        Assert.Equal("bye\n", ended.GetProperty("stdout").GetString());
        Assert.Equal(0, ended.GetProperty("dropped").GetInt64());
    }

    [Fact]
    public async Task Another_key_s_handle_is_not_found_in_the_same_words_as_a_handle_that_never_was()
    {
        // Arrange
        var (server, keys) = await InProcessServer.StartAsync("", new Dictionary<string, string[]?> { ["alice"] = Everything, ["mallory"] = Everything });
        await using var _ = server;
        using var alice = server.Client(keys["alice"]);
        using var mallory = server.Client(keys["mallory"]);
        var id = await CreateAsync(alice);
        var never = "sbx-" + new string('0', 32);

        // Act
        var theirs = new List<HttpResponseMessage>
        {
            await mallory.PostAsync($"/v1/sandboxes/{id}/exec", Json("""{"command": ["true"]}"""), Cancel),
            await mallory.GetAsync($"/v1/sandboxes/{id}/files/x", Cancel),
            await mallory.DeleteAsync($"/v1/sandboxes/{id}", Cancel),
        };
        var unknown = await mallory.PostAsync($"/v1/sandboxes/{never}/exec", Json("""{"command": ["true"]}"""), Cancel);
        var malloryList = await mallory.GetFromJsonAsync<JsonElement>("/v1/sandboxes", Cancel);
        var stillAlice = await alice.PostAsync($"/v1/sandboxes/{id}/exec", Json("""{"command": ["echo", "mine"]}"""), Cancel);

        // Assert
        var unknownBody = await unknown.Content.ReadAsStringAsync(Cancel);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        foreach (var response in theirs)
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal(unknownBody, await response.Content.ReadAsStringAsync(Cancel));
        }

        Assert.Empty(malloryList.GetProperty("sandboxes").EnumerateArray());
        Assert.Equal(HttpStatusCode.OK, stillAlice.StatusCode);
    }

    [Fact]
    public async Task Over_the_caps_a_create_gets_429_naming_the_cap_and_the_fix()
    {
        // Arrange
        var (server, keys) = await InProcessServer.StartAsync("[sandboxes]\nmax_per_caller = 2\nmax_total = 3\n",
            new Dictionary<string, string[]?> { ["a"] = Everything, ["b"] = Everything });
        await using var _ = server;
        using var a = server.Client(keys["a"]);
        using var b = server.Client(keys["b"]);
        await CreateAsync(a);
        var second = await CreateAsync(a);

        // Act
        var third = await a.PostAsync("/v1/sandboxes", Json("{}"), Cancel);
        await CreateAsync(b);
        var overTotal = await b.PostAsync("/v1/sandboxes", Json("{}"), Cancel);
        await a.DeleteAsync($"/v1/sandboxes/{second}", Cancel);
        var afterClose = await a.PostAsync("/v1/sandboxes", Json("{}"), Cancel);

        // Assert
        var body = await third.Content.ReadFromJsonAsync<JsonElement>(Cancel);
        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
        Assert.Equal("sandbox-cap", body.GetProperty("rule").GetString());
        Assert.Contains("close one", body.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.NotNull(third.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.TooManyRequests, overTotal.StatusCode);
        Assert.Equal("sandbox-cap-total", (await overTotal.Content.ReadFromJsonAsync<JsonElement>(Cancel)).GetProperty("rule").GetString());
        Assert.Equal(HttpStatusCode.Created, afterClose.StatusCode);
    }

    [Fact]
    public async Task Bad_requests_get_the_rest_shape_and_the_right_status_never_a_500()
    {
        // Arrange
        var (server, keys) = await InProcessServer.StartAsync("", new Dictionary<string, string[]?> { ["agent"] = Everything, ["reader"] = ReadOnly });
        await using var _ = server;
        using var client = server.Client(keys["agent"]);
        using var reader = server.Client(keys["reader"]);
        var id = await CreateAsync(client);
        await client.PostAsync($"/v1/sandboxes/{id}/exec", Json("""{"command": ["ln", "-s", "/etc/shadow", "shadow"]}"""), Cancel);

        // Act
        var cases = new (string Name, HttpResponseMessage Response, HttpStatusCode Status, string Rule)[]
        {
            ("scope", await reader.PostAsync("/v1/sandboxes", Json("{}"), Cancel), HttpStatusCode.Forbidden, "scope"),
            ("unknown field", await client.PostAsync("/v1/sandboxes", Json("""{"workdir": "/root"}"""), Cancel), HttpStatusCode.BadRequest, "arguments"),
            ("above the profile", await client.PostAsync("/v1/sandboxes", Json("""{"maxLifetime": "100h"}"""), Cancel), HttpStatusCode.BadRequest, "limit-above-profile"),
            ("no command", await client.PostAsync($"/v1/sandboxes/{id}/exec", Json("{}"), Cancel), HttpStatusCode.BadRequest, "arguments"),
            ("missing file", await client.GetAsync($"/v1/sandboxes/{id}/files/nope.txt", Cancel), HttpStatusCode.BadRequest, "file-not-found"),
            ("symlink", await client.GetAsync($"/v1/sandboxes/{id}/files/shadow", Cancel), HttpStatusCode.BadRequest, "path-symlink"),
            ("encoded slashes stay one name", await client.GetAsync($"/v1/sandboxes/{id}/files/a/..%2F..%2Fetc%2Fpasswd", Cancel), HttpStatusCode.BadRequest, "file-not-found"),
            ("absolute host path", await client.GetAsync($"/v1/sandboxes/{id}/files//etc/passwd", Cancel), HttpStatusCode.BadRequest, "path-outside"),
            ("no such process", await client.GetAsync($"/v1/sandboxes/{id}/processes/424242", Cancel), HttpStatusCode.NotFound, "process-not-found"),
            ("bad signal", await client.PostAsync($"/v1/sandboxes/{id}/processes/1/signal", Json("""{"signal": "NOPE"}"""), Cancel), HttpStatusCode.BadRequest, "arguments"),
            ("bad mode", await client.PutAsync($"/v1/sandboxes/{id}/files/x?mode=999", new ByteArrayContent([1]), Cancel), HttpStatusCode.BadRequest, "arguments"),
            ("not json", await client.PostAsync($"/v1/sandboxes/{id}/exec", Json("[1,2]"), Cancel), HttpStatusCode.BadRequest, "json"),
        };

        // Assert
        foreach (var (name, response, status, rule) in cases)
        {
            var body = await response.Content.ReadFromJsonAsync<JsonElement>(Cancel);
            Assert.True(status == response.StatusCode, $"{name}: {response.StatusCode} {body}");
            Assert.True(rule == body.GetProperty("rule").GetString(), $"{name}: {body}");
            Assert.DoesNotContain("   at ", body.GetProperty("error").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Creation_exec_file_write_and_close_are_counted_and_on_the_record()
    {
        // Arrange
        var (server, keys) = await InProcessServer.StartAsync("", new Dictionary<string, string[]?> { ["agent"] = Everything });
        await using var _ = server;
        using var client = server.Client(keys["agent"]);

        // Act
        var id = await CreateAsync(client);
        await client.PutAsync($"/v1/sandboxes/{id}/files/a.txt", new ByteArrayContent("a"u8.ToArray()), Cancel);
        await client.PostAsync($"/v1/sandboxes/{id}/exec", Json("""{"command": ["cat", "a.txt"]}"""), Cancel);
        var live = await Metric(client, "aisbx_sandboxes_live");
        var execs = await Metric(client, "aisbx_sandbox_execs_total");
        await client.DeleteAsync($"/v1/sandboxes/{id}", Cancel);
        var liveAfter = await Metric(client, "aisbx_sandboxes_live");
        await server.StopAsync();
        var audit = string.Concat(Directory.GetFiles(Path.Combine(server.ConfigDirectory, "audit"), "audit-*.jsonl").Select(File.ReadAllText));

        // Assert
        Assert.Equal(1, live);
        Assert.Equal(1, execs);
        Assert.Equal(0, liveAfter);
        foreach (var kind in new[] { "sandbox-created", "file-write", "sandbox-exec", "sandbox-closed" })
        {
            Assert.Contains(audit.Split('\n'), line => line.Contains($"\"{kind}\"", StringComparison.Ordinal) && line.Contains(id, StringComparison.Ordinal));
        }
    }

    internal static async Task<string> CreateAsync(HttpClient client)
    {
        var created = await client.PostAsync("/v1/sandboxes", Json("{}"), Cancel);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.Content.ReadFromJsonAsync<JsonElement>(Cancel)).GetProperty("sandboxId").GetString()!;
    }

    private static async Task<JsonElement> PollAsync(HttpClient client, string url, string until)
    {
        for (var i = 0; ; i++)
        {
            var output = await client.GetFromJsonAsync<JsonElement>(url, Cancel);
            if (output.GetProperty("stdout").GetString()!.Contains(until, StringComparison.Ordinal) || i == 200)
            {
                return output;
            }

            await Task.Delay(25, Cancel);
        }
    }

    private static async Task<double> Metric(HttpClient client, string name)
    {
        var text = await client.GetStringAsync("/metrics", Cancel);
        return text.Split('\n').Where(l => l.StartsWith(name, StringComparison.Ordinal) && !l.StartsWith('#'))
            .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
    }
}
