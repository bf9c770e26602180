using System.Diagnostics;
using Aisbx.Tests.Shared;
using System.Text;
using System.Text.RegularExpressions;

namespace Aisbx.Mcp.Tests;

/// <summary>A server killed mid-run leaves a workspace and cgroups; the next server to start removes them.</summary>
public partial class CrashSweepSpecs
{
    [Fact]
    public async Task What_a_server_killed_mid_run_left_is_swept_when_the_next_server_starts_and_audited()
    {
        // Arrange: a REST run that has written into its workspace, in a server that is then SIGKILLed.
        var config = McpServerProcess.PrivateConfig("[server]\nrequests_per_minute = 100000\n");
        var marker = "server-crash-" + Guid.NewGuid().ToString("N")[..12];
        var temp = new Dictionary<string, string> { ["TMPDIR"] = FreshWorkspaces.PrivateTemp() };
        using var first = McpServerProcess.Start(McpServerProcess.Binary, ["--transport", "http", "--port", "0", "--config", config], temp);
        var url = await ServingUrlAsync(first);
        using var client = new HttpClient { BaseAddress = url };
        var body = $$"""{"command":["sh","-c","echo program-data > /workspace/{{marker}}; sleep 60"]}""";
        _ = client.PostAsync("/v1/runs", new StringContent(body, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        var workspace = await FreshWorkspaces.WaitForOneHoldingAsync(marker, FreshWorkspaces.BaseIn(temp["TMPDIR"]));
        var sandboxId = Path.GetFileName(workspace);
        var groups = FreshWorkspaces.CgroupsOf(sandboxId);
        Assert.True(groups.Count > 0 || Environment.UserName != "root", "as root, a run has cgroups to leave behind");
        first.Kill();
        await first.WaitForExitAsync(TestContext.Current.CancellationToken);
        await FreshWorkspaces.WaitUntilEmptyAsync(groups);
        Assert.True(Directory.Exists(workspace), "the killed server's workspace should still be there before the sweep");

        // Act
        using var second = McpServerProcess.Start("/usr/bin/env", ["--default-signal=TERM", McpServerProcess.Binary, "--transport", "http", "--port", "0", "--config", config], temp);
        await ServingUrlAsync(second);

        // Assert
        try
        {
            Assert.False(Directory.Exists(workspace), $"workspace {workspace} was left behind");
            Assert.All(groups, group => Assert.False(Directory.Exists(group), $"cgroup {group} was left behind"));
            Assert.Contains(sandboxId, await AuditedSweepsAsync(config, sandboxId), StringComparison.Ordinal);
        }
        finally
        {
            // Stopped, not killed: it remembered the first server's profile and filled its pool at start.
            await Aisbx.Tests.Shared.HostCommands.StopAsync(second);
            Directory.Delete(config, recursive: true);
            Directory.Delete(temp["TMPDIR"], recursive: true);
        }
    }

    internal static async Task<Uri> ServingUrlAsync(Process server)
    {
        while (await server.StandardError.ReadLineAsync(TestContext.Current.CancellationToken) is { } line)
        {
            if (ServingLine().Match(line) is { Success: true } match)
            {
                _ = server.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
                return new Uri(match.Groups[1].Value);
            }
        }

        throw new InvalidOperationException($"aisbx-mcp exited ({server.ExitCode}) before it served");
    }

    /// <summary>The server writes its audit log in batches: wait for the sweep's record to land.</summary>
    private static async Task<string> AuditedSweepsAsync(string config, string sandboxId)
    {
        var audit = Path.Combine(config, "audit");
        for (var i = 0; i < 100; i++)
        {
            var text = Directory.Exists(audit) ? string.Concat(Directory.GetFiles(audit, "audit-*.jsonl").Select(File.ReadAllText)) : "";
            var sweeps = string.Join('\n', text.Split('\n').Where(line => line.Contains("\"sweep\"", StringComparison.Ordinal)));
            if (sweeps.Contains(sandboxId, StringComparison.Ordinal))
            {
                return sweeps;
            }

            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        return "";
    }

    [GeneratedRegex("serving MCP at (http://\\S+)/mcp")]
    private static partial Regex ServingLine();
}
