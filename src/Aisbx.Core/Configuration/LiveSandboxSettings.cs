namespace Aisbx.Core.Configuration;

/// <summary>
/// Live sandboxes (<c>[sandboxes]</c> in config.toml): their clocks, what each may hold, and how many there may be.
/// A profile may shorten the clocks (<c>idle_timeout</c>, <c>max_lifetime</c> in its <c>[limits]</c>), and a request
/// may shorten them further, never lengthen them. An exec's own timeout is the profile's <c>wall_time</c>.
/// </summary>
public sealed record LiveSandboxSettings
{
    public static LiveSandboxSettings Default { get; } = new();

    /// <summary>No call for this long closes a sandbox.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>A sandbox closes this long after it was created, whatever happens.</summary>
    public TimeSpan MaxLifetime { get; init; } = TimeSpan.FromHours(1);

    /// <summary>CPU time of all the execs of one sandbox together; spent, the sandbox closes.</summary>
    public TimeSpan CpuTime { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>What /workspace may hold (a tmpfs of this size, whose pages count toward the sandbox's memory).</summary>
    public long WorkspaceBytes { get; init; } = 256L << 20;

    /// <summary>Bytes kept of each stream of a background process.</summary>
    public long RingBytes { get; init; } = 1L << 20;

    /// <summary>The largest file a read returns.</summary>
    public long MaxReadBytes { get; init; } = 16L << 20;

    public int MaxPerCaller { get; init; } = 5;

    public int MaxTotal { get; init; } = 50;

    public int CreationsPerMinute { get; init; } = 20;
}
