using System.Collections.Immutable;
using Aisbx.Core.Profiles;

namespace Aisbx.Core.Runs;

/// <summary>What a caller asks for: a command, the profile to run it under, and optional tighter limits.</summary>
public sealed record RunRequest
{
    public required ImmutableArray<string> Command { get; init; }

    public string Profile { get; init; } = "default";

    /// <summary>Host directory mounted read-write at <c>/workspace</c>; null for a fresh one, removed afterwards.</summary>
    public string? Workdir { get; init; }

    public ImmutableSortedDictionary<string, string> Env { get; init; } = ImmutableSortedDictionary<string, string>.Empty;

    public NetworkMode? Network { get; init; }

    /// <summary>
    /// Host entries (<see cref="Egress.HostPattern"/> text) to narrow the profile's allow list to; null for the
    /// profile's list. Each must be covered by the profile's list: a request narrows, never widens.
    /// </summary>
    public ImmutableArray<string>? AllowHosts { get; init; }

    public TimeSpan? WallTime { get; init; }

    public TimeSpan? CpuTime { get; init; }

    public long? MemoryBytes { get; init; }

    public int? Pids { get; init; }

    /// <summary>
    /// Files to place in the fresh workspace before the run: a path relative to <c>/workspace</c> → its text.
    /// Only with a fresh workspace (no <see cref="Workdir"/>): a caller's directory is never written by aisbx.
    /// </summary>
    public ImmutableSortedDictionary<string, string> Files { get; init; } = ImmutableSortedDictionary<string, string>.Empty;

    /// <summary>Secrets from the store to give the program, each as an environment variable of its name; their values are redacted from its output.</summary>
    public ImmutableArray<string> Secrets { get; init; } = [];

    /// <summary>Who asks: an API key's name, an MCP session, or the local user. Lockouts and events are per caller.</summary>
    public string Caller { get; init; } = "local";

    /// <summary>Capture stdout and stderr (up to the output limit) instead of streaming them to the caller's sinks.</summary>
    public bool CaptureOutput { get; init; }
}
