using System.Collections.Immutable;

namespace Aisbx.Core.Sandboxes;

/// <summary>
/// A live sandbox as its owner sees it: <see cref="State"/> is <c>running</c> (or <c>ended</c>), with the processes
/// started in it and what the whole sandbox uses.
/// </summary>
public sealed record SandboxStatus
{
    public required string SandboxId { get; init; }

    public required string Profile { get; init; }

    public required string State { get; init; }

    public ImmutableArray<ProcessSummary> Processes { get; init; } = [];

    /// <summary>The memory the sandbox's cgroup holds now (its processes, /tmp and /workspace); null without a cgroup.</summary>
    public long? MemoryBytes { get; init; }

    /// <summary>CPU time of every process of the sandbox so far; null where the host keeps no such count.</summary>
    public double? CpuTimeMs { get; init; }

    /// <summary>What /workspace holds, of <see cref="WorkspaceLimitBytes"/>.</summary>
    public long WorkspaceBytes { get; init; }

    public long WorkspaceLimitBytes { get; init; }

    public double IdleForMs { get; init; }

    /// <summary>The sandbox's network: its mode, and with an allowlist every connection its proxy has seen so far.</summary>
    public Runs.NetworkReport? Network { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the sandbox closes if nothing else happens: the idle timeout or the lifetime, whichever comes first.</summary>
    public required DateTimeOffset ExpiresAt { get; init; }
}

/// <summary>A process started by an exec: its id (its pid inside the sandbox), its command, and whether it still runs.</summary>
public sealed record ProcessSummary(int ProcessId, ImmutableArray<string> Command, bool Background, bool Running, int? ExitCode);
