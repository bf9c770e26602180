using System.Text.Json;

namespace Aisbx.Mcp.Tests.Builds;

/// <summary>aisbx-build as the official MCP TypeScript SDK sees it (tests/mcp-clients/build.mjs), over Streamable HTTP, with a real mmdebstrap build.</summary>
public class BuildProgressSpecs
{
    [Fact]
    public async Task A_real_client_receives_rising_progress_notifications_while_a_tree_is_built_and_a_result_that_names_the_tree()
    {
        // Arrange
        await using var builds = await BuildServer.StartAsync(new Dictionary<string, string[]?>());
        var url = new Uri(builds.Server.BaseUrl, "/mcp").ToString();

        // Act
        var (exitCode, stdout, stderr) = await NodeScript.RunAsync("node", ["build.mjs", url, BuildServer.Profile], TimeSpan.FromMinutes(10));

        // Assert
        Assert.True(exitCode == 0, $"the client failed: {stderr}");
        var report = JsonDocument.Parse(stdout).RootElement;
        Assert.False(report.GetProperty("isError").GetBoolean(), report.GetProperty("text").GetString());

        var progress = report.GetProperty("progress").EnumerateArray().ToList();
        Assert.True(progress.Count >= 5, $"only {progress.Count} progress notifications: {report.GetProperty("progress")}");
        var values = progress.Select(p => p.GetProperty("progress").GetDouble()).ToList();
        Assert.All(values.Zip(values.Skip(1)), pair => Assert.True(pair.Second > pair.First, $"progress went from {pair.First} to {pair.Second}"));
        var messages = progress.Select(p => p.GetProperty("message").GetString()!).ToList();
        Assert.Contains(messages, m => m.StartsWith("installing essential packages: ", StringComparison.Ordinal) && m.Contains(" packages", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("downloading", StringComparison.Ordinal));
        Assert.Contains(progress, p => p.GetProperty("total").ValueKind == JsonValueKind.Number && p.GetProperty("total").GetDouble() >= p.GetProperty("progress").GetDouble());

        var tree = report.GetProperty("structured").GetProperty("tree");
        var hash = tree.GetProperty("hash").GetString()!;
        Assert.Equal("built", tree.GetProperty("state").GetString());
        Assert.Matches("^[0-9a-f]{64}$", hash);
        Assert.False(report.GetProperty("structured").GetProperty("cached").GetBoolean());
        Assert.Contains($"profile tiny built in ", report.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Contains($"tree {hash[..12]}", report.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(builds.Store, stdout, StringComparison.Ordinal);
        Assert.Equal([hash], builds.Trees());
    }

    [Fact]
    public async Task A_build_that_fails_is_a_tool_error_in_one_line_that_says_why_and_leaves_nothing()
    {
        // Arrange
        await using var builds = await BuildServer.StartAsync(new Dictionary<string, string[]?>());
        var url = new Uri(builds.Server.BaseUrl, "/mcp").ToString();

        // Act
        var (exitCode, stdout, stderr) = await NodeScript.RunAsync("node", ["build.mjs", url, "broken"], TimeSpan.FromMinutes(2));

        // Assert
        Assert.True(exitCode == 0, $"the client failed: {stderr}");
        var report = JsonDocument.Parse(stdout).RootElement;
        Assert.True(report.GetProperty("isError").GetBoolean());
        var text = report.GetProperty("text").GetString()!;
        Assert.StartsWith("the build of broken failed: mmdebstrap failed (", text, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', text);
        Assert.DoesNotContain(builds.Store, text, StringComparison.Ordinal);
        Assert.Empty(builds.Trees());
    }
}
