using System.Collections.Immutable;

namespace Aisbx.Core.Configuration;

/// <summary>
/// The server's warm pool (<c>[pool]</c> in config.toml): how many sandboxes it keeps started and waiting for each
/// profile that was used recently. Each serves one run and is destroyed; <c>size = 0</c> turns the pool off.
/// </summary>
public sealed record PoolSettings
{
    public static PoolSettings Default { get; } = new();

    /// <summary>The most a size may be: each waiting sandbox holds a thread, a cgroup and about a MiB.</summary>
    public const int MaxSize = 64;

    /// <summary>Sandboxes kept waiting for each profile in use.</summary>
    public int Size { get; init; } = 2;

    /// <summary>Sizes for named profiles, over <see cref="Size"/> (0 keeps that profile out of the pool).</summary>
    public ImmutableSortedDictionary<string, int> Profiles { get; init; } = ImmutableSortedDictionary<string, int>.Empty;

    /// <summary>A profile with no run for this long has its waiting sandboxes closed, until its next run.</summary>
    public TimeSpan KeepFor { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Whether <c>aisbx run</c> hands its runs to a resident server of this config's warm pool (started by a run that
    /// found none, gone after <see cref="KeepFor"/> without runs). False: every run starts its own sandbox.
    /// </summary>
    public bool Resident { get; init; } = true;

    public int SizeFor(string profile) => Profiles.TryGetValue(profile, out var size) ? size : Size;
}
