using Aisbx.Core.Policy;
using Aisbx.Core.Security;

namespace Aisbx.Core.Tests;

public class CallerLockoutTests
{
    private sealed class ManualClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static readonly LockoutPolicy Policy = new() { Threshold = 3, Window = TimeSpan.FromMinutes(10), Duration = TimeSpan.FromMinutes(15) };

    private static SecurityEvent Event(string caller, Severity severity = Severity.High, string kind = SecurityEventKind.Violation) =>
        new(kind, "ptrace", severity, "denied", "sbx-1", "default", caller, DateTimeOffset.UnixEpoch);

    [Fact]
    public void The_third_high_severity_event_within_the_window_locks_the_caller_out_for_the_duration()
    {
        var clock = new ManualClock();
        var lockout = new CallerLockout(Policy, new MemoryLockoutStore(), clock);

        Assert.Null(lockout.Observe(Event("a")));
        Assert.Null(lockout.Observe(Event("a")));
        var locked = lockout.Observe(Event("a"));

        Assert.Equal(SecurityEventKind.Lockout, locked?.Kind);
        var refusal = Assert.Throws<PolicyRefusal>(() => lockout.EnsureAllowed("a"));
        Assert.Equal("lockout", refusal.Rule);
        Assert.Contains("12:15:00Z", refusal.Message, StringComparison.Ordinal);
        lockout.EnsureAllowed("b");
        clock.Now += TimeSpan.FromMinutes(16);
        lockout.EnsureAllowed("a");
    }

    [Fact]
    public void Strikes_older_than_the_window_do_not_count()
    {
        var clock = new ManualClock();
        var lockout = new CallerLockout(Policy, new MemoryLockoutStore(), clock);

        lockout.Observe(Event("a"));
        lockout.Observe(Event("a"));
        clock.Now += TimeSpan.FromMinutes(11);

        Assert.Null(lockout.Observe(Event("a")));
        lockout.EnsureAllowed("a");
    }

    [Theory]
    [InlineData(Severity.Low, SecurityEventKind.Violation)]
    [InlineData(Severity.Medium, SecurityEventKind.LimitHit)]
    [InlineData(Severity.Critical, SecurityEventKind.Lockout)]
    public void Events_below_the_minimum_severity_and_lockouts_themselves_are_not_strikes(Severity severity, string kind)
    {
        var lockout = new CallerLockout(Policy with { Threshold = 1 }, new MemoryLockoutStore(), new ManualClock());

        Assert.Null(lockout.Observe(Event("a", severity, kind)));
        lockout.EnsureAllowed("a");
    }

    [Fact]
    public void A_threshold_of_zero_turns_lockouts_off()
    {
        var lockout = new CallerLockout(Policy with { Threshold = 0 }, new MemoryLockoutStore(), new ManualClock());

        Assert.Null(lockout.Observe(Event("a", Severity.Critical)));
        lockout.EnsureAllowed("a");
    }

    [Fact]
    public void The_file_store_keeps_a_lockout_across_processes_and_clear_lifts_it()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "state", "lockouts.json");
        var clock = new ManualClock();
        var first = new CallerLockout(Policy with { Threshold = 1 }, new FileLockoutStore(path), clock);
        first.Observe(Event("local:ada"));

        var second = new CallerLockout(Policy with { Threshold = 1 }, new FileLockoutStore(path), clock);
        Assert.Throws<PolicyRefusal>(() => second.EnsureAllowed("local:ada"));
        second.Clear("local:ada");

        new CallerLockout(Policy, new FileLockoutStore(path), clock).EnsureAllowed("local:ada");
        Assert.Empty(new FileLockoutStore(path).Callers());
    }

    [Fact]
    public void A_damaged_state_file_starts_clean_instead_of_refusing_everyone()
    {
        using var dir = new TempDirectory();
        dir.Write("lockouts.json", "{ not json");

        new CallerLockout(Policy, new FileLockoutStore(Path.Combine(dir.Path, "lockouts.json")), new ManualClock()).EnsureAllowed("a");
    }
}
