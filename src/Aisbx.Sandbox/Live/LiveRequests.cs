using System.Collections.Immutable;
using Aisbx.Core.Profiles;

namespace Aisbx.Sandbox.Live;

/// <summary>What a caller asks of a new live sandbox. Every value may only lower what the profile and the server allow.</summary>
public sealed record LiveSandboxRequest
{
    public string Profile { get; init; } = "default";

    /// <summary>Variables every exec gets, on top of the profile's (an exec's own win).</summary>
    public ImmutableSortedDictionary<string, string> Env { get; init; } = ImmutableSortedDictionary<string, string>.Empty;

    public NetworkMode? Network { get; init; }

    /// <summary>Host entries narrowing the profile's allow list (network allowlist); null for the profile's list.</summary>
    public ImmutableArray<string>? AllowHosts { get; init; }

    public long? MemoryBytes { get; init; }

    public int? Pids { get; init; }

    /// <summary>CPU time of all its execs together.</summary>
    public TimeSpan? CpuTime { get; init; }

    public TimeSpan? IdleTimeout { get; init; }

    public TimeSpan? MaxLifetime { get; init; }

    /// <summary>Files to write before the first exec: a path relative to /workspace → its content.</summary>
    public ImmutableSortedDictionary<string, string> Files { get; init; } = ImmutableSortedDictionary<string, string>.Empty;

    /// <summary>Who owns it: only this caller can use the handle.</summary>
    public string Caller { get; init; } = "local";
}

/// <summary>One exec in a live sandbox.</summary>
public sealed record LiveExecRequest
{
    public required ImmutableArray<string> Command { get; init; }

    public ImmutableSortedDictionary<string, string> Env { get; init; } = ImmutableSortedDictionary<string, string>.Empty;

    /// <summary>Relative to /workspace, or an absolute path under /workspace or /tmp; null for /workspace.</summary>
    public string? WorkingDirectory { get; init; }

    public ReadOnlyMemory<byte> Stdin { get; init; }

    /// <summary>The exec's own clock; null for the profile's wall time (none for a background process).</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Return as soon as it runs; its output goes to ring buffers, read with offsets.</summary>
    public bool Background { get; init; }

    /// <summary>A one-shot run's streams passed through (a terminal's run): its stdin pipe, and where output goes.</summary>
    internal PassedThrough? Streams { get; init; }
}

/// <summary>The streams of an exec whose output is passed through as it comes rather than kept.</summary>
internal sealed record PassedThrough(Microsoft.Win32.SafeHandles.SafeFileHandle? StdinPipe, Output.StreamingSink Stdout, Output.StreamingSink Stderr);
