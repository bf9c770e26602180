using System.Diagnostics;
using System.Globalization;
using Aisbx.Core.Runs;
using Aisbx.Sandbox.Limits;

namespace Aisbx.Sandbox.Tests;

/// <summary>Memory and process limits through the sandbox's own cgroup (v1 or v2), with typed limit hits.</summary>
[Collection(nameof(RealSandboxes))]
public class CgroupLimitTests(SandboxFixture sandbox)
{
    private Task<RunResult> RunAsync(RunRequest request) =>
        sandbox.Runner.RunAsync(request with { CaptureOutput = true }, RunIo.None, TestContext.Current.CancellationToken);

    [Fact]
    public async Task A_memory_hog_is_oom_killed_at_the_limit_and_reported_as_memory()
    {
        Assert.SkipWhen(CgroupHost.Mode == CgroupMode.None, "no writable cgroup hierarchy on this host");

        var result = await RunAsync(new RunRequest
        {
            Command = ["python3", "-c", "x = bytearray(400 * 1024 * 1024); print('ALLOCATED')"],
            Profile = "python-dev",
            MemoryBytes = 64L << 20,
        });

        Assert.Equal(137, result.ExitCode);
        Assert.DoesNotContain("ALLOCATED", result.Stdout, StringComparison.Ordinal);
        Assert.Contains(result.LimitHits, h => h.Limit == "memory" && h.Value == 64L << 20);
        Assert.InRange(result.PeakMemoryBytes ?? 0, 1, 64L << 20);
    }

    [Fact]
    public async Task A_fork_loop_stops_at_the_pids_limit_and_the_host_stays_responsive()
    {
        Assert.SkipWhen(CgroupHost.Mode == CgroupMode.None, "no writable cgroup hierarchy on this host");

        var result = await RunAsync(new RunRequest
        {
            Command = ["/bin/sh", "-c", SandboxFixture.InsideGuard + "n=0; while [ $n -lt 200 ]; do sleep 3 & n=$((n+1)); done; wait; echo finished"],
            Pids = 10,
            WallTime = TimeSpan.FromSeconds(10),
        });
        var afterwards = await sandbox.ShAsync("echo responsive");

        Assert.Contains("fork", result.Stderr, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(result.LimitHits, h => h.Limit == "pids" && h.Value == 10);
        Assert.Equal("responsive\n", afterwards.Stdout);
    }

    [Fact]
    public async Task Cpu_time_spread_over_many_processes_stops_at_the_sandbox_limit()
    {
        Assert.SkipWhen(CgroupHost.Mode == CgroupMode.None || (CgroupHost.Mode == CgroupMode.V1 && !CgroupHost.HasV1CpuAccounting), "no CPU accounting cgroup on this host");

        // Eight spinners: together they pass the sandbox's 1 s long before any one of them reaches its own 1 s rlimit
        // (which would end each spinner, let the shell finish, and report nothing).
        var result = await RunAsync(new RunRequest
        {
            Command = ["/bin/sh", "-c", "spin() { while :; do :; done; }; for i in 1 2 3 4 5 6 7 8; do spin & done; wait; echo FINISHED"],
            Profile = "busy",
            WallTime = TimeSpan.FromSeconds(20),
        });

        Assert.False(result.TimedOut);
        Assert.DoesNotContain("FINISHED", result.Stdout, StringComparison.Ordinal);
        Assert.Equal((137, 9), (result.ExitCode, result.Signal));
        Assert.Contains(result.LimitHits, h => h.Limit == "cpu-time" && h.Value == 1000);
        Assert.DoesNotContain(result.LimitHits, h => h.Limit == "wall-time");
    }

    [Fact]
    public async Task A_run_within_its_limits_reports_peak_memory_and_no_limit_hit()
    {
        Assert.SkipWhen(CgroupHost.Mode == CgroupMode.None, "no writable cgroup hierarchy on this host");

        var result = await RunAsync(new RunRequest { Command = ["/bin/sh", "-c", "echo fine"] });

        Assert.Equal(0, result.ExitCode);
        Assert.Empty(result.LimitHits);
        Assert.True(result.PeakMemoryBytes > 0);
    }

    [Fact]
    public async Task The_sandbox_cgroup_is_removed_after_the_run()
    {
        Assert.SkipWhen(CgroupHost.Mode == CgroupMode.None, "no writable cgroup hierarchy on this host");

        var result = await RunAsync(new RunRequest { Command = ["true"] });

        var leftovers = Directory.EnumerateDirectories(CgroupHost.Root, result.SandboxId, SearchOption.AllDirectories).ToList();
        Assert.Empty(leftovers);
    }

    [Fact]
    public void Groups_abandoned_by_a_killed_aisbx_are_swept_at_start_up_but_fresh_ones_are_left_alone()
    {
        Assert.SkipUnless(CgroupHost.Mode == CgroupMode.V1, "the sweep test builds v1 groups by hand");
        var parents = new[] { Path.Combine(CgroupHost.Root, "memory", CgroupHost.ParentName), Path.Combine(CgroupHost.Root, "pids", CgroupHost.ParentName) };
        var abandoned = parents.Select(p => Path.Combine(p, "sbx-test-abandoned-" + Guid.NewGuid().ToString("N")[..6])).ToList();
        var fresh = parents.Select(p => Path.Combine(p, "sbx-test-fresh-" + Guid.NewGuid().ToString("N")[..6])).ToList();
        foreach (var directory in abandoned.Concat(fresh))
        {
            Directory.CreateDirectory(directory);
        }

        foreach (var directory in abandoned)
        {
            Directory.SetLastWriteTimeUtc(directory, DateTime.UtcNow - TimeSpan.FromMinutes(5));
        }

        try
        {
            sandbox.Runner.SweepLeftovers(null, "test");

            Assert.All(abandoned, d => Assert.False(Directory.Exists(d), d));
            Assert.All(fresh, d => Assert.True(Directory.Exists(d), d));
        }
        finally
        {
            foreach (var directory in abandoned.Concat(fresh).Where(Directory.Exists))
            {
                Directory.Delete(directory);
            }
        }
    }

    [Fact]
    public async Task A_process_still_in_the_sandbox_s_cgroup_once_bubblewrap_is_gone_is_killed()
    {
        Assert.SkipUnless(CgroupHost.Mode == CgroupMode.V1 && Environment.UserName == "root", "needs root and v1's pids hierarchy to put a process in a sandbox's group by hand");

        // Arrange: a plain host sleep (no probe) put in the running sandbox's pids group, standing for an init that
        // outlived bubblewrap.
        var tag = Random.Shared.Next(100_000, 999_999).ToString(CultureInfo.InvariantCulture);
        var run = RunAsync(new RunRequest { Command = ["sleep", "1." + tag] });
        await HostProcesses.WaitUntilRunningAsync("1." + tag);
        var inSandbox = HostProcesses.Matching("1." + tag)[0];
        var group = File.ReadAllLines($"/proc/{inSandbox}/cgroup").Select(line => line.Split(':')).First(parts => parts[1] == "pids")[2];
        using var straggler = Process.Start("sleep", "60" + tag);
        File.WriteAllText(Path.Combine("/sys/fs/cgroup/pids", group.TrimStart('/'), "cgroup.procs"), straggler.Id.ToString(CultureInfo.InvariantCulture));

        try
        {
            // Act
            var result = await run;

            // Assert
            Assert.Equal(0, result.ExitCode);
            Assert.True(straggler.WaitForExit(TimeSpan.FromSeconds(5)), "the process left in the sandbox's group was not killed");
            Assert.False(Directory.Exists(Path.Combine("/sys/fs/cgroup/pids", group.TrimStart('/'))), "the sandbox's group was not removed");
        }
        finally
        {
            if (!straggler.HasExited)
            {
                straggler.Kill();
            }
        }
    }
}
