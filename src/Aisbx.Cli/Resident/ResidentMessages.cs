using System.Collections.Immutable;
using Aisbx.Core.Profiles;
using Aisbx.Core.Runs;

namespace Aisbx.Cli.Resident;

/// <summary>
/// What <c>aisbx run</c> asks of the resident server: the run as parsed, and what says that the server runs what this
/// process would (its binary and the environment aisbx reads). Beside it go three descriptors: the stdin pipe, and
/// the caller's stdout and stderr.
/// </summary>
internal sealed record ResidentRequest
{
    public required string Build { get; init; }

    public required string Environment { get; init; }

    public required string Profile { get; init; }

    public required string[] Command { get; init; }

    public Dictionary<string, string> Env { get; init; } = [];

    public string? Network { get; init; }

    public long? WallTimeTicks { get; init; }

    public long? CpuTimeTicks { get; init; }

    public long? MemoryBytes { get; init; }

    public int? Pids { get; init; }

    public bool Json { get; init; }

    /// <summary>Whether the caller gave aisbx a stdout (and a stderr): aisbx's own /dev/null stands in otherwise.</summary>
    public bool StdoutOpen { get; init; }

    public bool StderrOpen { get; init; }

    /// <summary>
    /// The checkout whose <c>./aisbx</c> started the caller (<c>aisbx-run</c>), which made no freshness check of its
    /// own: the server runs nothing for it while the checkout's sources are newer than its build.
    /// </summary>
    public string? Checkout { get; init; }

    public static ResidentRequest From(RunRequest run, string build, string environment, string? checkout) => new()
    {
        Build = build,
        Environment = environment,
        Checkout = checkout,
        Profile = run.Profile,
        Command = [.. run.Command],
        Env = new Dictionary<string, string>(run.Env, StringComparer.Ordinal),
        Network = run.Network is { } mode ? NetworkModeText.Format(mode) : null,
        WallTimeTicks = run.WallTime?.Ticks,
        CpuTimeTicks = run.CpuTime?.Ticks,
        MemoryBytes = run.MemoryBytes,
        Pids = run.Pids,
        Json = run.CaptureOutput,
        StdoutOpen = Sandbox.CallerDescriptors.IsCallers(1),
        StderrOpen = Sandbox.CallerDescriptors.IsCallers(2),
    };

    /// <summary>The run, for <paramref name="caller"/>; a network that does not parse is left to the policy as the profile's.</summary>
    public RunRequest ToRun(string caller) => new()
    {
        Command = [.. Command],
        Profile = Profile,
        Env = Env.ToImmutableSortedDictionary(StringComparer.Ordinal),
        Network = NetworkModeText.TryParse(Network, out var mode) ? mode : null,
        WallTime = WallTimeTicks is { } wall ? TimeSpan.FromTicks(wall) : null,
        CpuTime = CpuTimeTicks is { } cpu ? TimeSpan.FromTicks(cpu) : null,
        MemoryBytes = MemoryBytes,
        Pids = Pids,
        CaptureOutput = Json,
        Caller = caller,
    };
}

/// <summary>The resident server's answers: <c>accepted</c> (the run has a sandbox; stdin may flow), then one end.</summary>
internal sealed record ResidentReply
{
    public const string AcceptedOutcome = "accepted";
    public const string RanOutcome = "ran";
    public const string MissedOutcome = "missed";
    public const string StaleOutcome = "stale";
    public const string FailedOutcome = "failed";

    public required string Outcome { get; init; }

    public int ExitCode { get; init; }

    /// <summary>Why a run was missed (it runs in the caller's process instead), or the rule of a failure.</summary>
    public string? Reason { get; init; }

    public string? Message { get; init; }

    /// <summary>A failure that is a policy's refusal (the caller reports it as one).</summary>
    public bool Refused { get; init; }
}

