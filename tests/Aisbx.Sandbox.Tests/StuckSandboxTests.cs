using System.Diagnostics;
using System.Globalization;
using Aisbx.Core.Profiles;
using Aisbx.Core.Runs;

namespace Aisbx.Sandbox.Tests;

/// <summary>
/// A sandbox that does not die when killed: made here by freezing its processes in a cgroup v1 freezer of the
/// test's own (a frozen task keeps a pending SIGKILL until it is thawed). Alone in its collection, because it
/// measures this process's CPU time.
/// </summary>
[Collection(nameof(StuckSandboxTests))]
[CollectionDefinition(nameof(StuckSandboxTests), DisableParallelization = true)]
public sealed class StuckSandboxTests(SandboxFixture sandbox) : IClassFixture<SandboxFixture>
{
    private const string FreezerRoot = "/sys/fs/cgroup/freezer";

    [Fact]
    public async Task A_killed_sandbox_that_does_not_exit_is_reported_stuck_with_its_id_after_a_bounded_sleep()
    {
        Assert.SkipUnless(Directory.Exists(FreezerRoot) && Environment.UserName == "root", "needs root and the cgroup v1 freezer to make a process that ignores SIGKILL");

        // Arrange
        var tag = Random.Shared.Next(100_000, 999_999).ToString(CultureInfo.InvariantCulture);
        var freezer = Path.Combine(FreezerRoot, "aisbx-test-" + tag);
        var runner = new SandboxRunner(sandbox.Config, new ProfileCatalog(sandbox.Config.ProfilesDirectory)) { KillGrace = TimeSpan.FromSeconds(2) };
        var run = runner.RunAsync(
            new RunRequest { Command = ["sleep", "9" + tag], CaptureOutput = true, WallTime = TimeSpan.FromSeconds(1) }, RunIo.None, TestContext.Current.CancellationToken);
        Directory.CreateDirectory(freezer);
        try
        {
            await HostProcesses.WaitUntilRunningAsync(tag);
            foreach (var pid in AncestorsBelowThisProcess(HostProcesses.Matching(tag)[0]))
            {
                File.WriteAllText(Path.Combine(freezer, "cgroup.procs"), pid.ToString(CultureInfo.InvariantCulture));
            }

            File.WriteAllText(Path.Combine(freezer, "freezer.state"), "FROZEN");
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var clock = Stopwatch.StartNew();

            // Act: the wall-clock limit kills it at 1 s; it cannot die while frozen.
            var stuck = await Assert.ThrowsAsync<SandboxStuckException>(() => run.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));

            // Assert: reported with its id, and the wait slept rather than spun.
            var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
            Assert.StartsWith("sbx-", stuck.SandboxId, StringComparison.Ordinal);
            Assert.Contains(stuck.SandboxId, stuck.Message, StringComparison.Ordinal);
            Assert.Contains("stuck", stuck.Message, StringComparison.Ordinal);
            Assert.True(cpu < clock.Elapsed * 0.4, $"the supervisor used {cpu.TotalMilliseconds} ms of CPU in {clock.ElapsedMilliseconds} ms of waiting");
        }
        finally
        {
            File.WriteAllText(Path.Combine(freezer, "freezer.state"), "THAWED");
            await HostProcesses.WaitUntilGoneAsync(tag);
            await RemoveFreezerAsync(freezer);
        }
    }

    /// <summary>
    /// Moves what is left in the test's freezer back to the root and removes it. A thawed sandbox is still exiting
    /// (bubblewrap after its child), so a listed process may be gone before it is moved, and the directory stays
    /// busy until the last one has left.
    /// </summary>
    private static async Task RemoveFreezerAsync(string freezer)
    {
        for (var attempt = 0; ; attempt++)
        {
            foreach (var pid in File.ReadAllLines(Path.Combine(freezer, "cgroup.procs")))
            {
                MoveToRootFreezer(pid);
            }

            try
            {
                Directory.Delete(freezer);
                return;
            }
            catch (IOException) when (attempt < 50)
            {
                await Task.Delay(100, TestContext.Current.CancellationToken);
            }
        }
    }

    private static void MoveToRootFreezer(string pid)
    {
        try
        {
            File.WriteAllText(Path.Combine(FreezerRoot, "cgroup.procs"), pid);
        }
        catch (IOException)
        {
            // ESRCH: it is exiting or gone since the listing. One that stays keeps the directory busy, and the
            // removal above fails after its retries.
        }
    }

    /// <summary>The process and its ancestors up to (not including) this test process: the sandbox's chain from bubblewrap down.</summary>
    private static List<int> AncestorsBelowThisProcess(int pid)
    {
        var chain = new List<int>();
        while (pid > 1 && pid != Environment.ProcessId)
        {
            chain.Add(pid);
            var parent = File.ReadAllLines($"/proc/{pid}/status").First(line => line.StartsWith("PPid:", StringComparison.Ordinal));
            pid = int.Parse(parent["PPid:".Length..].Trim(), CultureInfo.InvariantCulture);
        }

        Assert.Equal(Environment.ProcessId, pid);
        return chain;
    }
}
