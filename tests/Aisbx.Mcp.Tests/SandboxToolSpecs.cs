using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Aisbx.Mcp.Tests;

/// <summary>
/// An agent's whole loop in a live sandbox, driven by the official MCP TypeScript SDK (tests/mcp-clients/sandbox.mjs)
/// against the published aisbx-mcp over stdio and over Streamable HTTP, and against the same tools on the SDK's
/// stateless HTTP. The SDK itself checks each structuredContent against the tool's outputSchema.
/// </summary>
public partial class SandboxToolSpecs(McpServerProcess server, StatelessMcpHost stateless) : IClassFixture<McpServerProcess>, IClassFixture<StatelessMcpHost>
{
    public static TheoryData<string> Transports => ["stdio", "http", "stateless-http"];

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task A_real_client_creates_writes_runs_reads_back_serves_and_closes(string transport)
    {
        string[] target = transport switch
        {
            "stdio" => ["stdio", McpServerProcess.Binary, "--config", server.ConfigDirectory],
            "http" => ["http", server.Url.ToString()],
            _ => ["http", stateless.Url.ToString()],
        };

        var (exitCode, stdout, stderr) = await NodeScript.RunAsync("node", ["sandbox.mjs", .. target], TimeSpan.FromMinutes(3));

        Assert.True(exitCode == 0, $"the client failed: {stderr}");
        using var document = JsonDocument.Parse(stdout);
        var report = document.RootElement;
        Assert.Equal(transport == "http", report.GetProperty("sessionId").ValueKind == JsonValueKind.String);
        Assert.Equal(McpTools.All, report.GetProperty("tools").EnumerateArray().Select(t => t.GetProperty("name").GetString()!));

        var created = Structured(report, "created");
        var id = created.GetProperty("sandboxId").GetString()!;
        Assert.Matches(Handle(), id);
        Assert.Equal("python-dev", created.GetProperty("profile").GetString());
        Assert.True(Structured(report, "secondClosed").GetProperty("closed").GetBoolean());

        Assert.Equal(("/workspace/script.py", report.GetProperty("scriptBytes").GetInt32()), (Structured(report, "write").GetProperty("path").GetString(), Structured(report, "write").GetProperty("bytes").GetInt32()));
        Assert.Equal(("/workspace/data/blob.bin", 256), (Structured(report, "writeBinary").GetProperty("path").GetString(), Structured(report, "writeBinary").GetProperty("bytes").GetInt32()));
        var exec = Structured(report, "exec");
        Assert.Equal((id, 0, "wrote out/result.txt\n"), (exec.GetProperty("sandboxId").GetString(), exec.GetProperty("exitCode").GetInt32(), exec.GetProperty("stdout").GetString()));
        Assert.StartsWith("exit code 0 after ", Text(report, "exec"), StringComparison.Ordinal);
        Assert.Equal("256 32640 0o600\n", Structured(report, "checkBinary").GetProperty("stdout").GetString());

        const string Squares = "squares: [0, 1, 4, 9, 16]\n";
        var readOut = Structured(report, "readOut");
        Assert.Equal(("/workspace/out/result.txt", 26, Squares), (readOut.GetProperty("path").GetString(), readOut.GetProperty("size").GetInt32(), readOut.GetProperty("content").GetString()));
        Assert.Equal(Convert.ToBase64String(Encoding.UTF8.GetBytes(Squares)), readOut.GetProperty("contentBase64").GetString());
        var readBinary = Structured(report, "readBinary");
        Assert.Equal(report.GetProperty("blobBase64").GetString(), readBinary.GetProperty("contentBase64").GetString());
        Assert.False(readBinary.TryGetProperty("content", out _), "bytes that are not UTF-8 came back as text too");
        var directory = Structured(report, "readDirectory");
        Assert.Equal("/workspace/out", directory.GetProperty("path").GetString());
        Assert.Equal([("result.txt", "file", 26L)], directory.GetProperty("entries").EnumerateArray().Select(e => (e.GetProperty("name").GetString(), e.GetProperty("type").GetString(), e.GetProperty("size").GetInt64())));
        var listing = Structured(report, "list").GetProperty("entries").EnumerateArray().Select(e => (e.GetProperty("name").GetString(), e.GetProperty("type").GetString())).ToList();
        Assert.Equal([("data", "directory"), ("out", "directory"), ("script.py", "file")], listing);

        var timedOut = Structured(report, "timedOut");
        Assert.Equal((true, 124), (timedOut.GetProperty("timedOut").GetBoolean(), timedOut.GetProperty("exitCode").GetInt32()));
        Assert.Equal("still here\n" + Squares, Structured(report, "afterTimeout").GetProperty("stdout").GetString());

        var serverProcess = Structured(report, "server");
        Assert.Equal(id, serverProcess.GetProperty("sandboxId").GetString());
        var serverId = serverProcess.GetProperty("processId").GetInt32();
        Assert.StartsWith("started process ", Text(report, "server"), StringComparison.Ordinal);
        Assert.Contains("Serving HTTP on 127.0.0.1 port 8765", report.GetProperty("serverReady").GetString(), StringComparison.Ordinal);
        Assert.Equal(Squares, Structured(report, "fetch").GetProperty("stdout").GetString());
        Assert.Contains("\"GET /result.txt HTTP/1.1\" 200", report.GetProperty("serverLog").GetString(), StringComparison.Ordinal);
        var offsets = report.GetProperty("serverOffsets");
        Assert.Equal(offsets.GetProperty("stdoutBytes").GetInt64(), offsets.GetProperty("offset").GetInt64());
        Assert.Equal(offsets.GetProperty("stderrBytes").GetInt64(), offsets.GetProperty("stderrOffset").GetInt64());

        Assert.Equal((4, false), (Structured(report, "stdinWrite").GetProperty("bytes").GetInt32(), Structured(report, "stdinWrite").GetProperty("closed").GetBoolean()));
        Assert.Equal((4, true), (Structured(report, "stdinClose").GetProperty("bytes").GetInt32(), Structured(report, "stdinClose").GetProperty("closed").GetBoolean()));
        var echo = Structured(report, "echoEnded");
        Assert.Equal((false, 0, "got one\ngot two\n"), (echo.GetProperty("running").GetBoolean(), echo.GetProperty("exitCode").GetInt32(), echo.GetProperty("stdout").GetString()));

        var waitCut = Structured(report, "waitCut");
        Assert.Equal((true, "", offsets.GetProperty("offset").GetInt64()), (waitCut.GetProperty("running").GetBoolean(), waitCut.GetProperty("stdout").GetString(), waitCut.GetProperty("offset").GetInt64()));

        var live = Assert.Single(Structured(report, "sandboxes").GetProperty("sandboxes").EnumerateArray());
        Assert.Equal((id, "running"), (live.GetProperty("sandboxId").GetString(), live.GetProperty("state").GetString()));
        Assert.Contains(live.GetProperty("processes").EnumerateArray(), p => p.GetProperty("processId").GetInt32() == serverId && p.GetProperty("background").GetBoolean() && p.GetProperty("running").GetBoolean());
        Assert.Equal(15, Structured(report, "signal").GetProperty("signal").GetInt32());
        var serverEnded = Structured(report, "serverEnded");
        Assert.Equal((false, 15), (serverEnded.GetProperty("running").GetBoolean(), serverEnded.GetProperty("signal").GetInt32()));

        Assert.StartsWith("refused (path-outside): path '/etc/shadow' is outside the sandbox's files", Refusal(report, "outsidePath"), StringComparison.Ordinal);
        Assert.StartsWith("refused (path-invalid): path '../escape.txt' has a '..' part", Refusal(report, "escapingPath"), StringComparison.Ordinal);
        Assert.Equal("refused (arguments): 'command' must be an array of strings, like [\"ls\", \"-la\"], not a string", Refusal(report, "badExec"));
        Assert.StartsWith($"refused (process-not-found): sandbox {id} has no background process 99999", Refusal(report, "noProcess"), StringComparison.Ordinal);

        Assert.Equal((id, true), (Structured(report, "close").GetProperty("sandboxId").GetString(), Structured(report, "close").GetProperty("closed").GetBoolean()));
        var closed = $"refused (sandbox-ended): sandbox {id} was closed: create a new sandbox";
        Assert.Equal(closed, Refusal(report, "execAfterClose"));
        Assert.Equal(closed, Refusal(report, "readAfterClose"));
        Assert.StartsWith("refused (not-found): no such sandbox is here", Refusal(report, "neverExisted"), StringComparison.Ordinal);
        Assert.Empty(Structured(report, "sandboxesAfter").GetProperty("sandboxes").EnumerateArray());
        Assert.DoesNotContain(server.ConfigDirectory, report.GetRawText(), StringComparison.Ordinal);
    }

    private static JsonElement Structured(JsonElement report, string name)
    {
        var result = report.GetProperty(name);
        Assert.False(result.GetProperty("isError").GetBoolean(), $"{name}: {result.GetProperty("text").GetString()}");
        return result.GetProperty("structured");
    }

    private static string Text(JsonElement report, string name) => report.GetProperty(name).GetProperty("text").GetString()!;

    private static string Refusal(JsonElement report, string name)
    {
        var result = report.GetProperty(name);
        Assert.True(result.GetProperty("isError").GetBoolean(), $"{name} was not refused");
        return result.GetProperty("text").GetString()!;
    }

    [GeneratedRegex("^sbx-[0-9a-f]{32}$")]
    private static partial Regex Handle();
}
