using System.Globalization;
using System.Text.Json;

namespace Aisbx.Mcp.Tests;

/// <summary>
/// The official MCP TypeScript SDK (tests/mcp-clients/client.mjs) drives aisbx-mcp over stdio and over Streamable
/// HTTP, as Claude Desktop or any other client would; these specs judge what it saw.
/// </summary>
public class TypeScriptClientSpecs(McpServerProcess server) : IClassFixture<McpServerProcess>
{
    public static TheoryData<string> Transports => ["stdio", "http"];

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task A_real_client_runs_code_gets_errors_places_files_and_cancels(string transport)
    {
        var tag = Random.Shared.Next(100_000, 999_999).ToString(CultureInfo.InvariantCulture);
        string[] target = transport == "stdio"
            ? [McpServerProcess.Binary, "--config", server.ConfigDirectory]
            : [server.Url.ToString()];

        var (exitCode, stdout, stderr) = await NodeScript.RunAsync("node", ["client.mjs", transport, tag, .. target], TimeSpan.FromMinutes(2));

        Assert.True(exitCode == 0, $"the client failed: {stderr}");
        using var document = JsonDocument.Parse(stdout);
        var report = document.RootElement;

        Assert.Equal(McpTools.All, report.GetProperty("tools").EnumerateArray().Select(t => t.GetProperty("name").GetString()));
        Assert.All(report.GetProperty("tools").EnumerateArray(), t => Assert.True(t.GetProperty("hasOutputSchema").GetBoolean()));

        var python = Structured(report, "python");
        Assert.Equal(("to stdout\n", "to stderr\n", 0), (python.GetProperty("stdout").GetString(), python.GetProperty("stderr").GetString(), python.GetProperty("exitCode").GetInt32()));

        var timeout = Structured(report, "timeout");
        Assert.True(timeout.GetProperty("timedOut").GetBoolean());
        Assert.Equal(124, timeout.GetProperty("exitCode").GetInt32());

        AssertRefused(report, "unknownProfile", "refused (profile-unknown)");
        AssertRefused(report, "etcWorkdir", "refused (workdir-system)");
        AssertRefused(report, "escapingFile", "refused (files-path)");
        Assert.DoesNotContain(server.ConfigDirectory, report.GetRawText(), StringComparison.Ordinal);

        Assert.Equal("hello from a placed file\nplaced data\n", Structured(report, "files").GetProperty("stdout").GetString());
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"call-{i}\n"), report.GetProperty("concurrent").EnumerateArray().Select(s => s.GetString()));

        var violation = Structured(report, "violation");
        Assert.Equal("went on\n", violation.GetProperty("stdout").GetString());
        Assert.Equal("ptrace", violation.GetProperty("violations")[0].GetProperty("detail").GetString());
        var log = Assert.Single(report.GetProperty("violationLogs").EnumerateArray());
        Assert.Equal(("warning", "ptrace"), (log.GetProperty("level").GetString(), log.GetProperty("data").GetProperty("detail").GetString()));

        Assert.Equal(["python-dev"], report.GetProperty("completion").EnumerateArray().Select(v => v.GetString()));
        Assert.True(Structured(report, "build").GetProperty("ready").GetBoolean());
        Assert.Equal("built", Structured(report, "build").GetProperty("tree").GetProperty("state").GetString());
        Assert.Contains(Structured(report, "profiles").GetProperty("profiles").EnumerateArray(), p => p.GetProperty("name").GetString() == "strict");

        Assert.StartsWith("aborted", report.GetProperty("cancel").GetProperty("outcome").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, Processes.Matching($"sleep 3{tag}"));
    }

    private static JsonElement Structured(JsonElement report, string name)
    {
        var result = report.GetProperty(name);
        Assert.False(result.GetProperty("isError").GetBoolean(), $"{name}: {result.GetProperty("text").GetString()}");
        return result.GetProperty("structured");
    }

    private static void AssertRefused(JsonElement report, string name, string prefix)
    {
        var result = report.GetProperty(name);
        Assert.True(result.GetProperty("isError").GetBoolean(), $"{name} was not refused");
        Assert.StartsWith(prefix, result.GetProperty("text").GetString(), StringComparison.Ordinal);
    }
}
