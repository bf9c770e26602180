using System.Collections.Immutable;
using Aisbx.Core.Policy;
using Aisbx.Core.Security;
using Aisbx.Sandbox.Pool;

namespace Aisbx.Sandbox.Tests.Pool;

/// <summary>
/// One-shot runs in sandboxes started ahead: each serves one run and is destroyed, what varies per run goes in at
/// hand-out, and a run that cannot use one is told why (and then runs the usual way).
/// </summary>
[Collection(nameof(RealSandboxes))]
public class WarmPoolTests(SandboxFixture sandbox)
{
    [Fact]
    public async Task A_pooled_run_never_sees_what_the_run_before_it_left()
    {
        // Arrange
        using var runs = new PooledRuns(sandbox);
        var first = await runs.HitAsync(PooledRuns.Request(
            "echo one > /workspace/left; echo one > /tmp/left; (setsid sleep 1000 >/dev/null 2>&1 &); echo $$ > /workspace/pid; ls /workspace"));

        // Act
        var second = await runs.HitAsync(PooledRuns.Request(
            "ls -A /workspace; cat /workspace/left /tmp/left 2>&1; ps -eo comm= | grep -c sleep; true"));

        // Assert
        Assert.Equal((0, "left\npid\n"), (first.ExitCode, first.Stdout));
        Assert.NotEqual(first.SandboxId, second.SandboxId);
        Assert.Equal("cat: /workspace/left: No such file or directory\ncat: /tmp/left: No such file or directory\n0\n", second.Stdout);
    }

    [Fact]
    public async Task The_environment_files_and_stdin_go_in_at_hand_out_and_not_into_the_next_run()
    {
        // Arrange
        using var runs = new PooledRuns(sandbox);
        var request = PooledRuns.Request("cat notes/a.txt; echo \"$GREETING\"; cat") with
        {
            Env = ImmutableSortedDictionary<string, string>.Empty.Add("GREETING", "hello"),
            Files = ImmutableSortedDictionary<string, string>.Empty.Add("notes/a.txt", "from a file\n"),
        };

        // Act
        var run = await runs.HitAsync(request, stdin: "from stdin\n");
        var next = await runs.HitAsync(PooledRuns.Request("echo \"[${GREETING:-unset}]\"; ls -A /workspace; cat"));

        // Assert
        Assert.Equal((0, "from a file\nhello\nfrom stdin\n"), (run.ExitCode, run.Stdout));
        Assert.Equal("[unset]\n", next.Stdout); // no file, and stdin at its end
    }

    [Fact]
    public async Task Lower_memory_and_process_limits_are_applied_at_hand_out()
    {
        // Arrange
        using var runs = new PooledRuns(sandbox);
        var hog = PooledRuns.Request("exec python3 -c 'b = bytearray(200 << 20); print(len(b))'", "python-dev") with { MemoryBytes = 64L << 20 };
        var forks = PooledRuns.Request("for i in 1 2 3 4 5 6 7 8; do sleep 5 & done; wait", "python-dev") with { Pids = 4 };

        // Act
        var memory = await runs.HitAsync(hog);
        var pids = await runs.HitAsync(forks);
        var roomy = await runs.HitAsync(PooledRuns.Request("exec python3 -c 'b = bytearray(200 << 20); print(len(b))'", "python-dev"));

        // Assert
        Assert.Contains(memory.LimitHits, h => h.Limit == "memory");
        Assert.NotEqual(0, memory.ExitCode);
        Assert.Contains(pids.LimitHits, h => h.Limit == "pids");
        Assert.Equal((0, "209715200\n"), (roomy.ExitCode, roomy.Stdout)); // the next sandbox has the profile's limits again
    }

    [Fact]
    public async Task A_pooled_run_names_its_violations_for_its_own_caller_and_a_kill_rule_ends_it()
    {
        // Arrange
        using var runs = new PooledRuns(sandbox);
        const string Ptrace = "import ctypes; print(ctypes.CDLL(None, use_errno=True).ptrace(0, 0, 0, 0), ctypes.get_errno())";
        var guard = "import os, socket\nassert socket.gethostname() == 'aisbx' and os.getuid() == 1000, 'NOT-IN-SANDBOX'\n";
        var denied = new Core.Runs.RunRequest { Command = ["python3", "-c", guard + Ptrace], Profile = "python-dev", CaptureOutput = true, Caller = "caller-a" };

        // Act
        var run = await runs.HitAsync(denied);
        var killed = await runs.HitAsync(denied with { Profile = "ptrace-kills" });

        // Assert
        Assert.Equal("-1 1\n", run.Stdout);
        Assert.Equal(("ptrace", "denied"), (Assert.Single(run.Violations).Detail, Assert.Single(run.Violations).Action));
        Assert.Contains(runs.Events, e => e.Kind == SecurityEventKind.Violation && e.SandboxId == run.SandboxId && e.Caller == "caller-a");
        Assert.Equal(159, killed.ExitCode);
        Assert.Equal("killed", Assert.Single(killed.Violations).Action);
    }

    [Fact]
    public async Task The_wall_clock_limit_holds_in_a_pooled_run()
    {
        // Arrange
        using var runs = new PooledRuns(sandbox);

        // Act
        var run = await runs.HitAsync(PooledRuns.Request("sleep 30") with { WallTime = TimeSpan.FromMilliseconds(300) });

        // Assert
        Assert.Equal((124, true), (run.ExitCode, run.TimedOut));
        Assert.Contains(run.LimitHits, h => h.Limit == "wall-time");
    }

    [Fact]
    public async Task A_command_that_does_not_exist_is_a_127_that_names_the_profile_as_a_usual_run_says()
    {
        // Arrange
        using var runs = new PooledRuns(sandbox);
        var request = new Core.Runs.RunRequest { Command = ["no-such-tool"], CaptureOutput = true, Caller = "test" };
        var usual = await sandbox.Runner.RunAsync(request, RunIo.None, TestContext.Current.CancellationToken);

        // Act
        var pooled = await runs.HitAsync(request);

        // Assert
        Assert.Equal((127, usual.Stderr), (pooled.ExitCode, pooled.Stderr));
    }

    [Fact]
    public async Task Runs_that_cannot_use_a_pooled_sandbox_say_why_and_start_nothing()
    {
        // Arrange
        using var runs = new PooledRuns(sandbox);
        using var off = new PooledRuns(sandbox, change: p => p with { Profiles = p.Profiles.Add("python-dev", 0) });
        var workdir = sandbox.NewWorkdir();

        // Act
        var inWorkdir = await runs.RunAsync(PooledRuns.Request("true") with { Workdir = workdir });
        var withSecret = await runs.RunAsync(PooledRuns.Request("true") with { Secrets = ["TOKEN"] });
        var narrowed = await runs.RunAsync(PooledRuns.Request("true") with { AllowHosts = ["example.org"] });
        var disabled = await off.RunAsync(PooledRuns.Request("true", "python-dev"));

        // Assert
        Assert.Equal((PoolMiss.Workdir, PoolMiss.Secrets, PoolMiss.Network, PoolMiss.Disabled),
            (inWorkdir.MissReason, withSecret.MissReason, narrowed.MissReason, disabled.MissReason));
        Assert.Empty(runs.Pool.Ready);
        Assert.Empty(off.Pool.Ready);
    }

    [Fact]
    public async Task A_refused_request_is_refused_as_a_usual_run_is()
    {
        // Arrange
        using var runs = new PooledRuns(sandbox);

        // Act
        var refusal = await Assert.ThrowsAsync<PolicyRefusal>(() => runs.RunAsync(PooledRuns.Request("true") with { MemoryBytes = 1L << 40 }));

        // Assert
        Assert.Equal("limit-above-profile", refusal.Rule);
    }

    [Fact]
    public async Task The_pool_refills_to_its_size_and_closing_it_removes_every_waiting_sandbox()
    {
        // Arrange
        var runs = new PooledRuns(sandbox, size: 2, ownWorkspaces: true);
        var before = runs.Workspaces();
        await runs.WaitReadyAsync("default", 2);
        var workspaces = runs.Workspaces().Except(before).ToList();

        // Act
        await runs.HitAsync(PooledRuns.Request("true"));
        await runs.WaitReadyAsync("default", 2);
        await runs.Pool.StopAsync();

        // Assert
        Assert.Equal(2, workspaces.Count); // the waiting ones, each with a workspace of its own
        Assert.DoesNotContain(runs.Pool.Ready, p => p.Ready > 0);
        var left = runs.Workspaces();
        Assert.Empty(workspaces.Intersect(left));
        runs.Dispose();
    }

    [Fact]
    public async Task A_used_sandbox_waiting_for_its_end_is_destroyed_when_the_pool_stops_first()
    {
        // Arrange
        var runs = new PooledRuns(sandbox, size: 1, ownWorkspaces: true);
        var before = runs.Workspaces();
        await runs.WaitReadyAsync("default", 1);
        var used = Assert.Single(runs.Workspaces().Except(before));

        // Act: the stop comes inside the moment the used sandbox waits before its end (WarmPool.AfterRun).
        await runs.HitAsync(PooledRuns.Request("echo left > /workspace/file"));
        await runs.Pool.StopAsync();

        // Assert: gone when the stop returns, and no replacement started for it.
        Assert.False(Directory.Exists(used), "the used sandbox's workspace outlived the pool's stop");
        Assert.Empty(runs.Workspaces().Except(before));
        runs.Dispose();
    }

    [Fact]
    public async Task A_pool_started_again_fills_at_once_the_profiles_used_within_keep_for()
    {
        // Arrange: a first server's pool serves a run of default, and remembers it.
        var journal = Path.Combine(Path.GetTempPath(), "aisbx-pool-profiles-" + Guid.NewGuid().ToString("N"));
        using (var first = new PooledRuns(sandbox, size: 1, journalPath: journal))
        {
            await first.HitAsync(PooledRuns.Request("true"));
            await WaitUntilAsync(() => File.Exists(journal) && File.ReadAllText(journal).StartsWith("default\t", StringComparison.Ordinal));
        }

        // Act: the next server's pool, before any run.
        var second = new PooledRuns(sandbox, size: 1, journalPath: journal);
        second.Pool.WarmUp();

        // Assert: a sandbox waits for default's first run, which takes it.
        try
        {
            await WaitUntilAsync(() => second.Pool.Ready.Any(p => p.Profile == "default" && p.Ready == 1));
            var run = await second.RunAsync(PooledRuns.Request("echo first"));
            Assert.Null(run.MissReason);
            Assert.Equal("first\n", run.Result!.Stdout);
        }
        finally
        {
            second.Dispose();
            File.Delete(journal);
        }
    }

    [Fact]
    public async Task A_pool_started_again_starts_nothing_for_old_uses_or_lines_that_name_no_profile()
    {
        // Arrange
        var journal = Path.Combine(Path.GetTempPath(), "aisbx-pool-profiles-" + Guid.NewGuid().ToString("N"));
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        File.WriteAllText(journal, $"default\t{now - 7200}\n../../etc\t{now}\nnot a line\nminimal\tsoon\n");
        var runs = new PooledRuns(sandbox, size: 1, journalPath: journal, ownWorkspaces: true);
        var before = runs.Workspaces();

        // Act
        runs.Pool.WarmUp();
        await Task.Delay(500, TestContext.Current.CancellationToken);

        // Assert: default was last used two hours ago (keep_for is 10 minutes); the rest are not uses of a profile.
        Assert.Empty(runs.Pool.Ready);
        Assert.Empty(runs.Workspaces().Except(before));
        runs.Dispose();
        File.Delete(journal);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var giveUp = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < giveUp, "the condition did not hold in 30 s");
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }

    [Fact]
    public async Task Runs_that_find_no_sandbox_waiting_take_ones_already_starting_and_the_pool_still_fills_to_its_size()
    {
        // Arrange: a pool of one, never used: the first run starts it.
        using var runs = new PooledRuns(sandbox, size: 1);

        // Act: two runs at once.
        var results = await Task.WhenAll(runs.RunAsync(PooledRuns.Request("echo one")), runs.RunAsync(PooledRuns.Request("echo two")));
        await runs.WaitReadyAsync("default", 1);
        await Task.Delay(300, TestContext.Current.CancellationToken);

        // Assert: neither started a sandbox of its own, each ran in its own pooled one, and one waits again, no more.
        Assert.All(results, r => Assert.Null(r.MissReason));
        Assert.Equal(["one\n", "two\n"], results.Select(r => r.Result!.Stdout));
        Assert.NotEqual(results[0].Result!.SandboxId, results[1].Result!.SandboxId);
        Assert.Equal(1, runs.Pool.Ready.Single(p => p.Profile == "default").Ready);
    }
}
