using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Aisbx.Core.Policy;
using Aisbx.Core.Runs;
using Aisbx.Core.Security;

namespace Aisbx.Sandbox.Tests;

/// <summary>Violations reported while the sandbox runs, as security events, and the lockout they feed.</summary>
[Collection(nameof(RealSandboxes))]
public class ViolationReportTests(SandboxFixture sandbox)
{
    private const string DeniedCallThenSleep = """
        import ctypes, os, socket, time
        assert socket.gethostname() == 'aisbx' and os.getuid() == 1000, 'NOT-IN-SANDBOX'
        ctypes.CDLL(None).syscall(101, 0, 0, 0, 0)
        time.sleep(4)
        print('slept')
        """;

    private sealed class RecordingSink : ISecurityEventSink
    {
        public ConcurrentQueue<(SecurityEvent Event, long At)> Events { get; } = new();

        public void Publish(SecurityEvent securityEvent) => Events.Enqueue((securityEvent, Stopwatch.GetTimestamp()));
    }

    private sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static Task<RunResult> RunAsync(SandboxRunner runner, RunRequest request, ISecurityEventSink sink) =>
        runner.RunAsync(request with { CaptureOutput = true }, new RunIo { Events = sink }, TestContext.Current.CancellationToken);

    [Fact]
    public async Task A_denied_call_is_reported_while_the_program_still_runs()
    {
        Assert.SkipUnless(RuntimeInformation.ProcessArchitecture == Architecture.X64, "the probe uses an x86_64 syscall number");
        var sink = new RecordingSink();

        var result = await RunAsync(sandbox.Runner, new RunRequest { Command = ["python3", "-c", DeniedCallThenSleep], Profile = "python-dev" }, sink);
        var finished = Stopwatch.GetTimestamp();

        Assert.Equal("slept\n", result.Stdout);
        var (violation, at) = Assert.Single(sink.Events);
        Assert.Equal((SecurityEventKind.Violation, "ptrace", "denied", Severity.High), (violation.Kind, violation.Detail, violation.Action, violation.Severity));
        Assert.True(Stopwatch.GetElapsedTime(at, finished) > TimeSpan.FromSeconds(3), "the event came only when the program ended");
    }

    [Fact]
    public async Task Events_carry_the_sandbox_the_profile_the_caller_and_the_time()
    {
        Assert.SkipUnless(RuntimeInformation.ProcessArchitecture == Architecture.X64, "the probe uses an x86_64 syscall number");
        var sink = new RecordingSink();
        var before = DateTimeOffset.UtcNow;

        var result = await RunAsync(sandbox.Runner, new RunRequest
        {
            Command = ["python3", "-c", "import ctypes\nctypes.CDLL(None).syscall(250, 0, 0, 0)\nprint('x' * 10000)"],
            Profile = "python-dev",
            Caller = "key:ci",
        }, sink);

        var events = sink.Events.Select(e => e.Event).ToList();
        var violation = Assert.Single(events, e => e.Kind == SecurityEventKind.Violation);
        Assert.Equal(("keyctl", result.SandboxId, "python-dev", "key:ci"), (violation.Detail, violation.SandboxId, violation.Profile, violation.Caller));
        Assert.InRange(violation.Time, before, DateTimeOffset.UtcNow);
        Assert.DoesNotContain(events, e => e.Kind == SecurityEventKind.LimitHit);

        var limited = new RecordingSink();
        await RunAsync(sandbox.Runner, new RunRequest { Command = ["sh", "-c", "yes | head -c 100000"], Profile = "tiny-output" }, limited);
        var hit = Assert.Single(limited.Events).Event;
        Assert.Equal((SecurityEventKind.LimitHit, "output", "stopped"), (hit.Kind, hit.Detail, hit.Action));
    }

    [Fact]
    public async Task A_refusal_is_an_event_and_starts_nothing()
    {
        var sink = new RecordingSink();

        await Assert.ThrowsAsync<PolicyRefusal>(() => RunAsync(sandbox.Runner, new RunRequest { Command = ["true"], Workdir = "/etc" }, sink));

        var refusal = Assert.Single(sink.Events).Event;
        Assert.Equal((SecurityEventKind.Refusal, "refused", null), (refusal.Kind, refusal.Action, refusal.SandboxId));
    }

    [Fact]
    public async Task A_caller_that_keeps_raising_high_severity_events_is_locked_out_for_a_while()
    {
        Assert.SkipUnless(RuntimeInformation.ProcessArchitecture == Architecture.X64, "the probe uses an x86_64 syscall number");
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var lockout = new CallerLockout(new LockoutPolicy { Threshold = 2, Window = TimeSpan.FromMinutes(5), Duration = TimeSpan.FromMinutes(10) }, new MemoryLockoutStore(), clock);
        var runner = new SandboxRunner(sandbox.Config, sandbox.Runner.Profiles, lockout);
        var sink = new RecordingSink();
        var attack = new RunRequest { Command = ["python3", "-c", "import ctypes\nctypes.CDLL(None).syscall(101, 0, 0, 0, 0)"], Profile = "python-dev", Caller = "key:mallory" };

        await RunAsync(runner, attack, sink);
        await RunAsync(runner, attack, sink);
        var refused = await Assert.ThrowsAsync<PolicyRefusal>(() => RunAsync(runner, attack, sink));
        var otherCaller = await RunAsync(runner, attack with { Command = ["true"], Caller = "key:alice" }, sink);
        clock.Now += TimeSpan.FromMinutes(11);
        var afterwards = await RunAsync(runner, attack with { Command = ["true"] }, sink);

        Assert.Equal(CallerLockout.Rule, refused.Rule);
        Assert.Contains("key:mallory", refused.Message, StringComparison.Ordinal);
        Assert.Contains(sink.Events, e => e.Event.Kind == SecurityEventKind.Lockout && e.Event.Caller == "key:mallory");
        Assert.Equal(0, otherCaller.ExitCode);
        Assert.Equal(0, afterwards.ExitCode);
    }

    [Fact]
    public async Task Low_severity_events_never_lock_a_caller_out()
    {
        var lockout = new CallerLockout(new LockoutPolicy { Threshold = 1 }, new MemoryLockoutStore(), TimeProvider.System);
        var runner = new SandboxRunner(sandbox.Config, sandbox.Runner.Profiles, lockout);
        var request = new RunRequest { Command = ["sh", "-c", "yes | head -c 100000"], Profile = "tiny-output", Caller = "key:chatty" };

        await RunAsync(runner, request, new RecordingSink());
        var second = await RunAsync(runner, request, new RecordingSink());

        Assert.Contains(second.LimitHits, h => h.Limit == "output");
    }
}
