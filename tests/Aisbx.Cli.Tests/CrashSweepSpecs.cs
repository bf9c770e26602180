using System.Diagnostics;
using Aisbx.Tests.Shared;

namespace Aisbx.Cli.Tests;

/// <summary>What a killed aisbx leaves behind is removed by the next one that starts.</summary>
public class CrashSweepSpecs(AisbxBinary aisbx) : IClassFixture<AisbxBinary>
{
    [Fact]
    public async Task The_workspace_and_cgroups_of_a_cli_killed_mid_run_are_swept_by_the_next_run_and_audited()
    {
        // Arrange: a run that has written data into its fresh workspace, then waits.
        var marker = "crash-" + Guid.NewGuid().ToString("N")[..12];
        var temp = new Dictionary<string, string> { ["TMPDIR"] = FreshWorkspaces.PrivateTemp() };
        using var victim = aisbx.StartWithEnvironment(temp, "run", "--", "sh", "-c", $"echo program-data > /workspace/{marker}; sleep 60");
        victim.StandardInput.Close();
        var workspace = await FreshWorkspaces.WaitForOneHoldingAsync(marker, FreshWorkspaces.BaseIn(temp["TMPDIR"]));
        var sandboxId = Path.GetFileName(workspace);
        var groups = FreshWorkspaces.CgroupsOf(sandboxId);
        Assert.True(groups.Count > 0 || Environment.UserName != "root", "as root, a run has cgroups to leave behind");

        // Act: SIGKILL, then any later run.
        victim.Kill();
        await victim.WaitForExitAsync(TestContext.Current.CancellationToken);
        await FreshWorkspaces.WaitUntilEmptyAsync(groups);
        Assert.True(Directory.Exists(workspace), "the killed run's workspace should still be there before the sweep");
        using var next = aisbx.StartWithEnvironment(temp, "run", "--", "true");
        next.StandardInput.Close();
        var stderr = await next.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await next.WaitForExitAsync(TestContext.Current.CancellationToken);
        var exitCode = next.ExitCode;

        // Assert
        Assert.True(exitCode == 0, stderr);
        Assert.False(Directory.Exists(workspace), $"workspace {workspace} was left behind");
        Assert.False(File.Exists(workspace + ".owner"));
        Assert.All(groups, group => Assert.False(Directory.Exists(group), $"cgroup {group} was left behind"));
        var audit = string.Concat(Directory.GetFiles(Path.Combine(aisbx.ConfigDirectory, "audit"), "audit-*.jsonl").Select(File.ReadAllText));
        Assert.Contains("\"sweep\"", audit, StringComparison.Ordinal);
        Assert.Contains(sandboxId, audit, StringComparison.Ordinal);
        Directory.Delete(temp["TMPDIR"], recursive: true);
    }

    [Fact]
    public async Task A_running_sandbox_of_another_live_aisbx_is_not_swept()
    {
        // Arrange
        var marker = "live-" + Guid.NewGuid().ToString("N")[..12];
        using var other = aisbx.Start("run", "--", "sh", "-c", $"echo x > /workspace/{marker}; sleep 30");
        other.StandardInput.Close();
        try
        {
            var workspace = await FreshWorkspaces.WaitForOneHoldingAsync(marker);

            // Act
            var (exitCode, _, _) = await aisbx.RunAsync("run", "--", "true");

            // Assert
            Assert.Equal(0, exitCode);
            Assert.True(File.Exists(Path.Combine(workspace, marker)), "a live run's workspace was swept");
        }
        finally
        {
            other.Kill();
            await other.WaitForExitAsync(TestContext.Current.CancellationToken);
        }
    }
}
