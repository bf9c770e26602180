using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Aisbx.Mcp.Tests;

/// <summary>Input no SDK would send: each gets the right answer, and the server keeps serving.</summary>
public class BadInputSpecs(McpServerProcess server) : IClassFixture<McpServerProcess>
{
    private const string Ping = """{"jsonrpc":"2.0","id":99,"method":"ping"}""";

    private static string Call(int id, string arguments, string tool = "aisbx-run") =>
        "{\"jsonrpc\":\"2.0\",\"id\":" + id.ToString(System.Globalization.CultureInfo.InvariantCulture) + ",\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool + "\",\"arguments\":" + arguments + "}}";

    [Fact]
    public async Task Truncated_json_gets_a_json_rpc_error_and_the_session_goes_on()
    {
        using var mcp = new McpHttp(server.Url);
        await mcp.InitializeAsync();

        var (status, message) = await mcp.PostAsync("""{"jsonrpc":"2.0","id":1,"method":"tools/li""");
        var (after, pong) = await mcp.PostAsync(Ping);

        Assert.Equal(400, status);
        Assert.True(message?.GetProperty("error").GetProperty("code").GetInt32() is -32700 or -32600);
        Assert.Equal((200, 99), (after, pong?.GetProperty("id").GetInt32()));
    }

    [Fact]
    public async Task A_ten_megabyte_request_gets_413_and_no_sandbox_starts()
    {
        using var mcp = new McpHttp(server.Url);
        await mcp.InitializeAsync();
        var before = await RunsAsync();

        var (status, _) = await mcp.PostAsync(Call(1, $$"""{"command":["echo","{{new string('a', 10 << 20)}}"]}"""), expectContinue: true);
        var (after, _) = await mcp.PostAsync(Ping);

        Assert.Equal(413, status);
        Assert.Equal(200, after);
        // This server's own count, not the host's bubblewrap processes, which other specs' sandboxes share.
        Assert.Equal(before, await RunsAsync());
    }

    /// <summary>Runs the fixture's server has finished, by its metrics.</summary>
    private async Task<double> RunsAsync()
    {
        using var http = new HttpClient();
        var text = await http.GetStringAsync(new Uri(server.Url, "/metrics"), TestContext.Current.CancellationToken);
        return text.Split('\n').Where(l => l.StartsWith("aisbx_runs_total{", StringComparison.Ordinal))
            .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task A_post_that_is_not_json_gets_415_not_a_server_error()
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, server.Url) { Content = new ByteArrayContent("""{"jsonrpc":"2.0","id":1,"method":"ping"}"""u8.ToArray()) };
        request.Headers.Accept.ParseAdd("application/json, text/event-stream");

        using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(415, (int)response.StatusCode);
    }

    [Fact]
    public async Task An_unknown_method_is_method_not_found()
    {
        using var mcp = new McpHttp(server.Url);
        await mcp.InitializeAsync();

        var (_, message) = await mcp.PostAsync("""{"jsonrpc":"2.0","id":5,"method":"sandbox/escape","params":{}}""");

        Assert.Equal(-32601, message?.GetProperty("error").GetProperty("code").GetInt32());
    }

    [Theory]
    [InlineData("aisbx-run", """{"command":"ls -la"}""", "'command' must be an array of strings, like [\"ls\", \"-la\"], not a string")]
    [InlineData("aisbx-run", """{"command":[1,2]}""", "'command' must be an array of strings, like [\"ls\", \"-la\"], but item 1 is the number 1")]
    [InlineData("aisbx-run", """{"command":{"a":"b"}}""", "'command' must be an array of strings")]
    [InlineData("aisbx-run", """{"code":["print(1)"],"language":"python"}""", "'code' must be a string, not an array")]
    [InlineData("aisbx-run", """{"code":"print(1)","language":7}""", "'language' must be a string, not the number 7")]
    [InlineData("aisbx-run", """{"command":["ls"],"profile":true}""", "'profile' must be a string, not a boolean")]
    [InlineData("aisbx-run", """{"command":["ls"],"workdir":["/tmp"]}""", "'workdir' must be a string, not an array")]
    [InlineData("aisbx-run", """{"command":["ls"],"timeout":true}""", "'timeout' a boolean is not a duration")]
    [InlineData("aisbx-run", """{"command":["ls"],"timeout":{"s":1}}""", "'timeout' an object is not a duration")]
    [InlineData("aisbx-run", """{"command":["ls"],"env":{"A":1}}""", "'env' must be an object of strings, like {\"NAME\": \"value\"}, but 'A' is the number 1")]
    [InlineData("aisbx-run", """{"command":["ls"],"env":["A=1"]}""", "'env' must be an object of strings, like {\"NAME\": \"value\"}, not an array")]
    [InlineData("aisbx-run", """{"command":["ls"],"stdin":{"text":"x"}}""", "'stdin' must be a string, not an object")]
    [InlineData("aisbx-run", """{"command":["ls"],"files":{"a.txt":false}}""", "'files' must be an object of strings, like {\"src/main.py\": \"print(1)\"}, but 'a.txt' is a boolean")]
    [InlineData("aisbx-run", """{"command":["ls"],"files":"a.txt"}""", "'files' must be an object of strings")]
    [InlineData("aisbx-run", """{"command":["ls"],"network":0}""", "'network' must be a string, not the number 0")]
    [InlineData("aisbx-run", """{"command":["ls"],"secrets":"TOKEN"}""", "'secrets' must be an array of strings, like [\"API_TOKEN\"], not a string")]
    [InlineData("aisbx-run", """{"command":["ls"],"secrets":[null]}""", "'secrets' must be an array of strings, like [\"API_TOKEN\"], but item 1 is null")]
    [InlineData("aisbx-run", """{"code":"print(1)"}""", "'code' needs a 'language'")]
    [InlineData("aisbx-run", """{"command":["ls"],"code":"x","language":"python"}""", "give either 'command'")]
    [InlineData("aisbx-run", """{"command":["ls"],"mystery":1}""", "unknown argument 'mystery': aisbx-run takes")]
    [InlineData("aisbx-run", """{"code":"1","language":"cobol"}""", "language 'cobol' is not one aisbx runs")]
    [InlineData("aisbx-run", """[1,2]""", "the arguments of aisbx-run must be an object of named arguments, like {\"command\": [\"ls\", \"-la\"]}, not an array")]
    [InlineData("aisbx-run", "\"ls\"", "the arguments of aisbx-run must be an object of named arguments, like {\"command\": [\"ls\", \"-la\"]}, not a string")]
    [InlineData("aisbx-build", """{"profile":1}""", "'profile' is required and must be a string")]
    [InlineData("aisbx-build", """{"profile":"python-dev","extra":1}""", "unknown argument 'extra'")]
    [InlineData("aisbx-build", "5", "the arguments of aisbx-build must be an object of named arguments, like {\"profile\": \"python-dev\"}, not a number")]
    [InlineData("aisbx-profile-list", """{"profile":"x"}""", "unknown argument 'profile': aisbx-profile-list takes none")]
    [InlineData("aisbx-profile-list", "[]", "the arguments of aisbx-profile-list must be an object of named arguments, like {}, not an array")]
    [InlineData("aisbx-profile-list", "true", "the arguments of aisbx-profile-list must be an object of named arguments, like {}, not a boolean")]
    [InlineData("aisbx-sandbox-create", """{"profile":"python-dev","command":["ls"]}""", "unknown argument 'command': aisbx-sandbox-create takes allowHosts, cpuTime, env, files, idleTimeout, maxLifetime, memory, network, pids, profile")]
    [InlineData("aisbx-sandbox-create", """{"idleTimeout":true}""", "'idleTimeout' a boolean is not a duration")]
    [InlineData("aisbx-sandbox-exec", """{"command":["ls"]}""", "refused (arguments): 'sandboxId' is required: give the sandboxId that aisbx-sandbox-create returned")]
    [InlineData("aisbx-sandbox-exec", """{"sandboxId":7,"command":["ls"]}""", "'sandboxId' must be a string, not the number 7")]
    [InlineData("aisbx-sandbox-exec", "[1]", "the arguments of aisbx-sandbox-exec must be an object of named arguments, like {\"sandboxId\": \"sbx-...\", \"command\": [\"python3\", \"main.py\"]}, not an array")]
    [InlineData("aisbx-file-write", """{"sandboxId":"sbx-x","path":"a","content":"x","contentBase64":"eA=="}""", "give 'content' (text) or 'contentBase64' (binary, base64), not both")]
    [InlineData("aisbx-file-write", """{"sandboxId":"sbx-x","path":"a","contentBase64":"not base64!"}""", "'contentBase64' is not base64")]
    [InlineData("aisbx-file-write", """{"sandboxId":"sbx-x","path":"a","content":"x","mode":"4755"}""", "'mode' \"4755\" is not a file mode: give permission bits in octal from 0000 to 0777")]
    [InlineData("aisbx-file-write", """{"sandboxId":"sbx-x","path":"a","content":"x","mode":493}""", "'mode' the number 493 is not a file mode")]
    [InlineData("aisbx-file-write", """{"sandboxId":"sbx-x","path":"a","content":"x","mode":true}""", "'mode' a boolean is not a file mode")]
    [InlineData("aisbx-file-write", """{"sandboxId":"sbx-x","path":"a"}""", "give the file as 'content' (text) or 'contentBase64' (binary, base64)")]
    [InlineData("aisbx-file-read", """{"sandboxId":"sbx-x"}""", "'path' is required")]
    [InlineData("aisbx-file-list", """{"sandboxId":"sbx-x","recursive":true}""", "unknown argument 'recursive': aisbx-file-list takes path, sandboxId")]
    [InlineData("aisbx-sandbox-list", """{"all":true}""", "unknown argument 'all': aisbx-sandbox-list takes none")]
    [InlineData("aisbx-sandbox-close", "{}", "'sandboxId' is required")]
    [InlineData("aisbx-process-read", """{"sandboxId":"sbx-x"}""", "'processId' is required")]
    [InlineData("aisbx-process-read", """{"sandboxId":"sbx-x","processId":0}""", "'processId' must be a whole number from 1 to 2147483647, not the number 0")]
    [InlineData("aisbx-process-read", """{"sandboxId":"sbx-x","processId":1,"offset":-1}""", "'offset' must be a whole number from 0")]
    [InlineData("aisbx-process-read", """{"sandboxId":"sbx-x","processId":1,"timeout":"5s"}""", "'timeout' is how long wait: true waits")]
    [InlineData("aisbx-process-read", """{"sandboxId":"sbx-x","processId":1,"wait":true,"timeout":"11m"}""", "'timeout' of a wait is at most 10m")]
    [InlineData("aisbx-process-write", """{"sandboxId":"sbx-x","processId":1}""", "give 'stdin' (text) or 'stdinBase64' (bytes) to write, or close: true")]
    [InlineData("aisbx-process-signal", """{"sandboxId":"sbx-x","processId":1}""", "'signal' is required")]
    public async Task Wrong_argument_types_are_tool_errors_that_name_the_argument(string tool, string arguments, string expected)
    {
        using var mcp = new McpHttp(server.Url);
        await mcp.InitializeAsync();

        var (_, message) = await mcp.PostAsync(Call(7, arguments, tool));

        Assert.False(message!.Value.TryGetProperty("error", out var error), $"a protocol error instead of a tool error: {error}");
        var result = message.Value.GetProperty("result");
        Assert.True(result.GetProperty("isError").GetBoolean());
        Assert.Contains(expected, result.GetProperty("content")[0].GetProperty("text").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_hundred_concurrent_calls_are_all_answered_and_the_server_stays_up()
    {
        using var mcp = new McpHttp(server.Url);
        await mcp.InitializeAsync();

        var replies = await Task.WhenAll(Enumerable.Range(1, 100).Select(i => mcp.PostAsync(Call(i, $$"""{"command":["echo","n{{i}}"]}"""))));
        var (after, _) = await mcp.PostAsync(Ping);

        Assert.All(replies, reply => Assert.Equal(200, reply.Status));
        var outputs = replies.Select(r => r.Message!.Value.GetProperty("result").GetProperty("structuredContent").GetProperty("stdout").GetString()).Order().ToList();
        Assert.Equal(Enumerable.Range(1, 100).Select(i => $"n{i}\n").Order(), outputs);
        Assert.Equal(200, after);
    }

    [Fact]
    public async Task Over_stdio_garbage_lines_get_errors_and_the_next_request_is_served()
    {
        using var process = McpServerProcess.Start(McpServerProcess.Binary, ["--config", server.ConfigDirectory]);
        var input = process.StandardInput;
        await input.WriteLineAsync("""{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}""");
        await input.WriteLineAsync("""{"jsonrpc":"2.0","method":"notifications/initialized"}""");
        await input.WriteLineAsync("""{"jsonrpc":"2.0","id":2,"method":"tools/ca""");
        await input.WriteLineAsync("""{"jsonrpc":"2.0","id":3,"method":"no/such"}""");
        await input.WriteLineAsync(Call(4, """{"command":["echo","still here"]}"""));
        await input.FlushAsync(TestContext.Current.CancellationToken);

        var replies = new Dictionary<int, JsonElement>();
        while (replies.Count < 3 && await process.StandardOutput.ReadLineAsync(TestContext.Current.CancellationToken) is { } line)
        {
            var message = JsonDocument.Parse(line).RootElement.Clone();
            if (message.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.Number && id.GetInt32() >= 2)
            {
                replies[id.GetInt32()] = message;
            }
        }

        input.Close();
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.Equal(-32700, replies[2].GetProperty("error").GetProperty("code").GetInt32());
        Assert.Equal(-32601, replies[3].GetProperty("error").GetProperty("code").GetInt32());
        Assert.Equal("still here\n", replies[4].GetProperty("result").GetProperty("structuredContent").GetProperty("stdout").GetString());
    }
}
