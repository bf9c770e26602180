using Aisbx.Core.Sandboxes;
using Aisbx.Sandbox.Live;
using static Aisbx.Sandbox.Tests.Live.LiveSandboxStateTests;

namespace Aisbx.Sandbox.Tests.Live;

/// <summary>The three clocks: an exec's timeout ends that exec only; the idle timeout and the lifetime end the sandbox, and say so.</summary>
[Collection(nameof(RealSandboxes))]
public class LiveSandboxClockTests(SandboxFixture sandbox)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_exec_timeout_kills_that_exec_s_process_group_and_nothing_else()
    {
        // Arrange
        using var live = await sandbox.Runner.StartLiveAsync(new LiveSandboxRequest { Caller = "test" }, null, Cancel);
        var survivor = await live.StartBackgroundAsync(Sh("exec sleep 1000"), Cancel);

        // Act
        var timedOut = await live.ExecAsync(Sh("echo before; sleep 100 & sleep 100") with { Timeout = TimeSpan.FromMilliseconds(300) }, Cancel);
        var after = await live.ExecAsync(Sh("for p in /proc/[0-9]*; do cat $p/comm; done | sort | uniq -c | grep sleep"), Cancel);

        // Assert
        Assert.True(timedOut.TimedOut);
        Assert.Equal(124, timedOut.ExitCode);
        Assert.Equal("before\n", timedOut.Stdout);
        Assert.Contains(timedOut.LimitHits, h => h.Limit == "wall-time" && h.Value == 300);
        Assert.Equal("1 sleep", after.Stdout.Trim()); // the background sleeper, and neither of the exec's
        Assert.True(live.ReadOutput(survivor.Pid, 0, 0, 1024).Running);
    }

    [Fact]
    public async Task The_idle_timeout_closes_the_sandbox_and_the_next_call_is_told_why()
    {
        // Arrange
        var runner = LiveRunners.With(sandbox, s => s with { IdleTimeout = TimeSpan.FromMilliseconds(400) });
        using var live = await runner.StartLiveAsync(new LiveSandboxRequest { Caller = "test" }, null, Cancel);

        // Act
        var reason = await live.Ended.WaitAsync(TimeSpan.FromSeconds(30), Cancel);
        var refused = await Assert.ThrowsAsync<SandboxEndedException>(() => live.ExecAsync(Sh("true"), Cancel));

        // Assert
        Assert.Equal(SandboxEnd.Idle, reason);
        Assert.Equal(SandboxEnd.Idle, refused.Reason);
        Assert.Contains("idle timeout", refused.Message, StringComparison.Ordinal);
        Assert.Contains("create a new sandbox", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_maximum_lifetime_closes_a_sandbox_that_is_kept_busy()
    {
        // Arrange
        var runner = LiveRunners.With(sandbox, s => s with { MaxLifetime = TimeSpan.FromSeconds(1) });
        using var live = await runner.StartLiveAsync(new LiveSandboxRequest { Caller = "test" }, null, Cancel);

        // Act: calls keep coming, so only the lifetime can end it.
        while (!live.Ended.IsCompleted)
        {
            try
            {
                await live.ExecAsync(Sh("sleep 0.1"), Cancel);
            }
            catch (SandboxEndedException)
            {
            }
        }

        // Assert
        Assert.Equal(SandboxEnd.Lifetime, await live.Ended);
    }

    [Fact]
    public async Task A_request_may_shorten_the_clocks_but_never_lengthen_them()
    {
        // Act
        var refusal = await Assert.ThrowsAsync<Core.Policy.PolicyRefusal>(() =>
            sandbox.Runner.StartLiveAsync(new LiveSandboxRequest { Caller = "test", MaxLifetime = TimeSpan.FromDays(2) }, null, Cancel));
        using var shorter = await sandbox.Runner.StartLiveAsync(new LiveSandboxRequest { Caller = "test", IdleTimeout = TimeSpan.FromMinutes(1) }, null, Cancel);

        // Assert
        Assert.Equal("limit-above-profile", refusal.Rule);
        Assert.Equal(TimeSpan.FromMinutes(1), shorter.IdleTimeout);
    }

    [Fact]
    public async Task The_cpu_time_of_all_execs_together_is_capped_and_its_end_is_typed()
    {
        // Arrange
        using var live = await sandbox.Runner.StartLiveAsync(new LiveSandboxRequest { Caller = "test", CpuTime = TimeSpan.FromMilliseconds(1500) }, null, Cancel);
        var burn = Sh("end=$(( $(date +%s) + 20 )); while [ $(date +%s) -lt $end ]; do :; done") with { Timeout = TimeSpan.FromSeconds(25) };

        // Act: the first burns most of the allowance, the second the rest.
        var first = await live.ExecAsync(Sh("i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done"), Cancel);
        var second = await live.ExecAsync(burn, Cancel);

        // Assert
        Assert.Equal(0, first.ExitCode);
        Assert.Contains(second.LimitHits, h => h.Limit == "cpu-time");
        Assert.Equal(SandboxEnd.CpuTime, await live.Ended);
    }
}
