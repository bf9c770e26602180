namespace Aisbx.Mcp.Tests;

/// <summary>The official MCP conformance suite (@modelcontextprotocol/conformance, on Node 22) against the HTTP server.</summary>
public class ConformanceSpecs(McpServerProcess server) : IClassFixture<McpServerProcess>
{
    [Theory]
    [InlineData("server-initialize")]
    [InlineData("ping")]
    [InlineData("tools-list")]
    [InlineData("logging-set-level")]
    [InlineData("completion-complete")]
    [InlineData("dns-rebinding-protection")]
    [InlineData("server-sse-multiple-streams")]
    public async Task The_conformance_scenario_passes(string scenario)
    {
        var suite = Path.Combine(Repository.Clients, "node_modules", "@modelcontextprotocol", "conformance", "dist", "index.js");

        var (exitCode, stdout, stderr) = await NodeScript.RunAsync(Repository.Node22, [suite, "server", "--url", server.Url.ToString(), "--scenario", scenario], TimeSpan.FromMinutes(2));

        Assert.True(exitCode == 0, $"{scenario} failed:\n{stdout}\n{stderr}");
        Assert.Contains("0 failed", stdout, StringComparison.Ordinal);
    }
}
