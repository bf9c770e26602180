using System.Collections.Immutable;

namespace Aisbx.Core.Runs;

/// <summary>
/// The one result document: printed by <c>aisbx run --json</c>, returned by the MCP tool and the REST API.
/// <see cref="ExitCode"/> is what <c>aisbx run</c> exits with: the program's own code, 128+N after signal N,
/// 124 after the wall-clock limit, 126/127 when the command cannot be run or found.
/// </summary>
public sealed record RunResult
{
    public required string SandboxId { get; init; }

    public required string Profile { get; init; }

    public int ExitCode { get; init; }

    public int? Signal { get; init; }

    public bool TimedOut { get; init; }

    public double DurationMs { get; init; }

    public double CpuTimeMs { get; init; }

    /// <summary>The sandbox cgroup's peak memory; null where there is no cgroup (rusage of a posix_spawn'd child would count aisbx's own memory).</summary>
    public long? PeakMemoryBytes { get; init; }

    public string Stdout { get; init; } = "";

    public string Stderr { get; init; } = "";

    public bool StdoutTruncated { get; init; }

    public bool StderrTruncated { get; init; }

    public ImmutableArray<LimitHit> LimitHits { get; init; } = [];

    public ImmutableArray<Violation> Violations { get; init; } = [];
}

/// <summary>A limit the run reached: <c>wall-time</c>, <c>output</c>, <c>stdin</c>, <c>memory</c>, <c>pids</c>, <c>cpu-time</c>, <c>file-size</c>.</summary>
public sealed record LimitHit(string Limit, long Value);

/// <summary>
/// Something the program tried and was stopped from doing: for <c>seccomp</c>, <see cref="Detail"/> is the syscall's
/// name, <see cref="Action"/> is <c>denied</c> (EPERM, the program went on) or <c>killed</c>. Repeats of the same
/// attempt are counted in one entry, stamped with the first one's time.
/// </summary>
public sealed record Violation(string Kind, string Detail, string Severity, string Action)
{
    public DateTimeOffset? Time { get; init; }

    public int Count { get; init; } = 1;
}
