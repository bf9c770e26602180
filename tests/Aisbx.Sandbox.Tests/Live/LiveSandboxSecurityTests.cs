using Aisbx.Core.Sandboxes;
using Aisbx.Core.Security;
using Aisbx.Sandbox.Live;
using static Aisbx.Sandbox.Tests.Live.LiveSandboxStateTests;

namespace Aisbx.Sandbox.Tests.Live;

/// <summary>A live sandbox is as isolated as a run: violations are named per exec, a kill rule ends it, and nothing crosses sandboxes.</summary>
[Collection(nameof(RealSandboxes))]
public class LiveSandboxSecurityTests(SandboxFixture sandbox)
{
    private const string Ptrace = "import ctypes; print(ctypes.CDLL(None, use_errno=True).ptrace(0, 0, 0, 0), ctypes.get_errno())";

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_denied_syscall_is_named_in_the_result_of_the_exec_that_made_it_and_published()
    {
        // Arrange
        var events = new List<SecurityEvent>();
        using var live = await sandbox.Runner.StartLiveAsync(new LiveSandboxRequest { Profile = "python-dev", Caller = "test" }, new ListSink(events), Cancel);

        // Act
        var attempt = await live.ExecAsync(Guarded(Ptrace), Cancel);
        var clean = await live.ExecAsync(Sh("true"), Cancel);

        // Assert
        Assert.Equal("-1 1\n", attempt.Stdout); // EPERM, and the program went on
        var violation = Assert.Single(attempt.Violations);
        Assert.Equal(("ptrace", "denied"), (violation.Detail, violation.Action));
        Assert.Empty(clean.Violations);
        Assert.Contains(events, e => e.Kind == SecurityEventKind.Violation && e.Detail == "ptrace" && e.SandboxId == live.Id && e.Caller == "test");
    }

    [Fact]
    public async Task A_kill_rule_ends_the_whole_sandbox()
    {
        // Arrange
        using var live = await sandbox.Runner.StartLiveAsync(new LiveSandboxRequest { Profile = "ptrace-kills", Caller = "test" }, null, Cancel);
        var bystander = await live.StartBackgroundAsync(Sh("exec sleep 1000"), Cancel);

        // Act
        var attempt = await live.ExecAsync(Guarded(Ptrace), Cancel);

        // Assert
        Assert.Equal(159, attempt.ExitCode);
        Assert.Equal("killed", Assert.Single(attempt.Violations).Action);
        Assert.Equal(SandboxEnd.Violation, await live.Ended);
        Assert.False(live.ReadOutput(bystander.Pid, 0, 0, 10).Running);
    }

    [Fact]
    public async Task Programs_get_only_their_three_descriptors_and_cannot_reach_into_the_agent()
    {
        // Arrange
        using var live = await sandbox.Runner.StartLiveAsync(new LiveSandboxRequest { Caller = "test" }, null, Cancel);

        // Act: the agent is the parent of every exec; its /proc entries hold the control socket.
        var probe = await live.ExecAsync(Sh(SandboxFixture.InsideGuard + """
            ls /proc/self/fd | tr '\n' ' '; echo
            agent=$PPID; cat /proc/$agent/comm
            ls /proc/$agent/fd 2>&1 >/dev/null | head -1
            cat /proc/$agent/environ 2>&1 >/dev/null | head -1
            """), Cancel);

        // Assert
        var lines = probe.Stdout.Split('\n');
        Assert.Equal("0 1 2 3 ", lines[0]); // 3 is ls's own directory
        Assert.Equal("launch", lines[1]); // /run/aisbx/launch, the agent
        Assert.Contains("Permission denied", probe.Stdout + probe.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("socket:", probe.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_sandboxes_share_no_files_and_no_processes()
    {
        // Arrange
        using var first = await sandbox.Runner.StartLiveAsync(new LiveSandboxRequest { Caller = "test" }, null, Cancel);
        using var second = await sandbox.Runner.StartLiveAsync(new LiveSandboxRequest { Caller = "test" }, null, Cancel);
        await first.ExecAsync(Sh("echo mine > /workspace/only-here; echo mine > /tmp/only-here"), Cancel);
        await first.StartBackgroundAsync(Sh("exec sleep 1000"), Cancel);

        // Act
        var look = await second.ExecAsync(Sh("ls /workspace /tmp; for p in /proc/[0-9]*; do cat $p/comm; done | grep -c sleep"), Cancel);

        // Assert
        Assert.DoesNotContain("only-here", look.Stdout, StringComparison.Ordinal);
        Assert.EndsWith("0\n", look.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Closing_a_sandbox_ends_its_processes_and_later_calls_say_it_was_closed()
    {
        // Arrange
        var live = await sandbox.Runner.StartLiveAsync(new LiveSandboxRequest { Caller = "test" }, null, Cancel);
        var sleeper = await live.StartBackgroundAsync(Sh("exec sleep 1000"), Cancel);

        // Act
        live.Close(SandboxEnd.Closed);
        var reason = await live.Ended;
        var refused = await Assert.ThrowsAsync<SandboxEndedException>(() => live.ReadFileAsync("x", 10, Cancel));

        // Assert
        Assert.Equal(SandboxEnd.Closed, reason);
        Assert.Equal(SandboxEnd.Closed, refused.Reason);
        Assert.False(live.ReadOutput(sleeper.Pid, 0, 0, 10).Running);
        Assert.False(Directory.Exists(Path.Combine(sandbox.Config.WorkspaceBase, live.Id)));
        Assert.False(File.Exists(Path.Combine(sandbox.Config.WorkspaceBase, live.Id + ".owner")));
    }

    private static LiveExecRequest Guarded(string python) => new()
    {
        Command = ["python3", "-c", "import os, socket\nassert socket.gethostname() == 'aisbx' and os.getuid() == 1000, 'NOT-IN-SANDBOX'\n" + python],
    };

    private sealed class ListSink(List<SecurityEvent> events) : ISecurityEventSink
    {
        public void Publish(SecurityEvent securityEvent)
        {
            lock (events)
            {
                events.Add(securityEvent);
            }
        }
    }
}

/// <summary>Violations in a live sandbox's execs count toward the caller's lockout, as a run's do.</summary>
[Collection(nameof(RealSandboxes))]
public class LiveSandboxLockoutTests(SandboxFixture sandbox)
{
    [Fact]
    public async Task Repeated_high_severity_violations_in_execs_lock_the_caller_out_of_the_next_exec()
    {
        // Arrange
        var lockout = new CallerLockout(LockoutPolicy.Default with { Threshold = 2 }, new MemoryLockoutStore(), TimeProvider.System);
        var runner = new SandboxRunner(sandbox.Config, new Core.Profiles.ProfileCatalog(sandbox.Config.ProfilesDirectory), lockout);
        using var live = await runner.StartLiveAsync(new LiveSandboxRequest { Profile = "python-dev", Caller = "agent-7" }, null, TestContext.Current.CancellationToken);
        var ptrace = new LiveExecRequest
        {
            Command = ["python3", "-c", "import os, socket, ctypes\nassert socket.gethostname() == 'aisbx' and os.getuid() == 1000, 'NOT-IN-SANDBOX'\nctypes.CDLL(None).ptrace(0, 0, 0, 0)"],
        };

        // Act
        await live.ExecAsync(ptrace, TestContext.Current.CancellationToken);
        await live.ExecAsync(ptrace, TestContext.Current.CancellationToken);
        var refusal = await Assert.ThrowsAsync<Core.Policy.PolicyRefusal>(() => live.ExecAsync(Sh("true"), TestContext.Current.CancellationToken));

        // Assert
        Assert.Equal(CallerLockout.Rule, refusal.Rule);
    }
}

/// <summary>A program of the sandbox's own uid can stop its agent; the sandbox then closes instead of hanging its callers.</summary>
[Collection(nameof(RealSandboxes))]
public class LiveSandboxStoppedAgentTests(SandboxFixture sandbox)
{
    [Fact]
    public async Task An_agent_stopped_by_a_program_closes_the_sandbox_once_it_does_not_answer()
    {
        // Arrange
        using var live = await sandbox.Runner.StartLiveAsync(new LiveSandboxRequest { Caller = "test" }, null, TestContext.Current.CancellationToken);
        live.AgentAnswerLimit = TimeSpan.FromSeconds(1);
        // The stopped agent cannot report this exec's end either: it ends at its timeout and kill grace.
        var stopped = await live.ExecAsync(Sh(SandboxFixture.InsideGuard + "kill -STOP $PPID && echo stopped") with { Timeout = TimeSpan.FromMilliseconds(500) }, TestContext.Current.CancellationToken);

        // Act
        var refusal = await Assert.ThrowsAsync<SandboxEndedException>(() => live.ReadFileAsync("anything", 10, TestContext.Current.CancellationToken));

        // Assert
        Assert.Equal("stopped\n", stopped.Stdout);
        Assert.Equal(Core.Sandboxes.SandboxEnd.AgentFailed, refusal.Reason);
        Assert.Equal(Core.Sandboxes.SandboxEnd.AgentFailed, await live.Ended.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
    }
}
