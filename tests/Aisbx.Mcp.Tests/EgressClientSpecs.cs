using System.Globalization;
using System.Text.Json;
using Aisbx.Tests.Shared;

namespace Aisbx.Mcp.Tests;

/// <summary>
/// An allowlist run as an MCP client asks for it (the official TypeScript SDK over stdio, tests/mcp-clients/egress-result.mjs):
/// the result's network field, a warning for each refused connection while the run goes on, and requests that
/// would widen the list refused as tool errors naming the rule.
/// </summary>
public sealed class EgressClientSpecs : IDisposable
{
    private readonly LoopbackUpstream _upstream = new("127.0.0.2");

    [Fact]
    public async Task A_client_asks_for_an_allowlist_sees_each_connection_in_the_result_is_warned_of_refusals_and_cannot_widen_the_list()
    {
        // Arrange
        var port = _upstream.Port.ToString(CultureInfo.InvariantCulture);
        var config = McpServerProcess.PrivateConfig(
            $"[egress]\nexempt = [\"127.0.0.2/32\"]\n\n[egress.hosts]\n\"allowed.test\" = [\"127.0.0.2\"]\n\"other.test\" = [\"127.0.0.2\"]\n");
        Directory.CreateDirectory(Path.Combine(config, "profiles"));
        await File.WriteAllTextAsync(Path.Combine(config, "profiles", "proxied.toml"),
            $"extends = \"python-dev\"\ndescription = \"behind the proxy\"\n\n[network]\nmode = \"allowlist\"\nallow = [\"allowed.test:{port}\", \"other.test:{port}\"]\n",
            TestContext.Current.CancellationToken);

        // Act
        var (exitCode, stdout, stderr) = await NodeScript.RunAsync("node", ["egress-result.mjs", port, McpServerProcess.Binary, "--config", config], TimeSpan.FromMinutes(1));

        // Assert
        Assert.True(exitCode == 0, $"the client failed: {stderr}");
        using var document = JsonDocument.Parse(stdout);
        var report = document.RootElement;
        var allowlist = report.GetProperty("allowlist");
        Assert.False(allowlist.GetProperty("isError").GetBoolean(), allowlist.GetProperty("text").GetString());
        var result = allowlist.GetProperty("structured");
        Assert.Equal("upstream /mcp\n403", result.GetProperty("stdout").GetString());
        Assert.Equal(["allowed", "refused"], result.GetProperty("network").GetProperty("connections").EnumerateArray().Select(c => c.GetProperty("verdict").GetString()).Order());

        var warning = Assert.Single(report.GetProperty("logs").EnumerateArray(), l => l.GetProperty("data").GetProperty("kind").GetString() == "egress");
        Assert.Equal("warning", warning.GetProperty("level").GetString());
        Assert.Equal(("other.test", "host-not-allowed"), (warning.GetProperty("data").GetProperty("egress").GetProperty("host").GetString(),
            warning.GetProperty("data").GetProperty("egress").GetProperty("rule").GetString()));

        Assert.True(report.GetProperty("widened").GetProperty("isError").GetBoolean());
        Assert.Contains("allow-host-not-granted", report.GetProperty("widened").GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.True(report.GetProperty("tooBroad").GetProperty("isError").GetBoolean());
        Assert.Contains("too-broad", report.GetProperty("tooBroad").GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(config, report.GetRawText(), StringComparison.Ordinal);
    }

    public void Dispose() => _upstream.Dispose();
}
