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

    /// <summary>The network the run had; with an allowlist, every connection its proxy saw.</summary>
    public NetworkReport? Network { get; init; }

    /// <summary>
    /// Why aisbx did not run the program, or could not finish supervising it: a refusal's rule and one-line message,
    /// with <see cref="ExitCode"/> 125 and an empty <see cref="SandboxId"/> when no sandbox started. Null when it ran.
    /// </summary>
    public RunError? Error { get; init; }

    /// <summary>The document <c>aisbx run --json</c> prints when aisbx itself refused or failed.</summary>
    public static RunResult ForError(string profile, string rule, string message, string sandboxId = "") => new()
    {
        SandboxId = sandboxId,
        Profile = profile,
        ExitCode = ExitCodes.OwnError,
        Error = new RunError(rule, message),
    };
}

/// <summary>aisbx's own refusal or failure: the rule it applied (e.g. <c>max-argument-bytes</c>) and what to do.</summary>
public sealed record RunError(string Rule, string Message);

/// <summary>
/// A limit the run reached (<see cref="LimitKind.All"/>: <c>wall-time</c>, <c>cpu-time</c>, <c>memory</c>, <c>pids</c>,
/// <c>file-size</c>, <c>output</c>, <c>stdin</c>), with its value in <see cref="Unit"/> (<c>ms</c>, <c>bytes</c>,
/// <c>processes</c>). Made through <see cref="LimitKind.Hit"/>.
/// </summary>
public sealed record LimitHit(string Limit, long Value)
{
    public string Unit { get; init; } = "";

    /// <summary>The value with its unit, for a person: <c>pids (64 processes)</c>.</summary>
    public string Describe() => $"{Limit} ({LimitKind.Named(Limit)?.Describe(Value) ?? $"{Value} {Unit}".TrimEnd()})";
}

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
