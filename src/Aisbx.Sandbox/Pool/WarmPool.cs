using System.Collections.Concurrent;

namespace Aisbx.Sandbox.Pool;

/// <summary>
/// The server's warm pool: for each profile in use, <c>[pool] size</c> sandboxes started ahead (namespaces, mounts,
/// a fresh empty workspace, the cgroup placed, the agent waiting for its first command). A one-shot run takes one,
/// which serves that run alone and is then destroyed; a replacement starts in the background. A waiting sandbox
/// spends no CPU: its thread sleeps in poll, and so does its agent.
/// </summary>
public sealed class WarmPool : IDisposable
{
    private readonly SandboxRunner _runner;
    private readonly ConcurrentDictionary<string, ProfilePool> _profiles = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();

    public WarmPool(SandboxRunner runner) => _runner = runner;

    /// <summary>Sandboxes waiting now, by profile (every profile used since the server started).</summary>
    public IReadOnlyList<(string Profile, int Ready)> Ready => [.. _profiles.Values.Select(p => (p.Profile, p.Ready))];

    /// <summary>A waiting sandbox of the profile, or null with why not; either way the profile counts as used.</summary>
    internal PooledSandbox? Take(string profile, out string? miss)
    {
        var size = _runner.Config.Pool.SizeFor(profile);
        if (size == 0 || _stopping.IsCancellationRequested)
        {
            miss = PoolMiss.Disabled;
            return null;
        }

        var pool = _profiles.GetOrAdd(profile, name => new ProfilePool(name, size, _runner.Config.Pool.KeepFor, _runner.StartPooledAsync, _stopping.Token));
        var taken = pool.Take();
        miss = taken is null ? PoolMiss.Empty : null;
        return taken;
    }

    /// <summary>A run that took a sandbox is done with it: its replacement starts now.</summary>
    internal void Refill(string profile)
    {
        if (_profiles.TryGetValue(profile, out var pool))
        {
            pool.Refill();
        }
    }

    /// <summary>The profile's tree was built again: what waits was started on the old one.</summary>
    internal void CloseWaiting(string profile)
    {
        if (_profiles.TryGetValue(profile, out var pool))
        {
            pool.CloseWaiting();
        }
    }

    /// <summary>The server stops: nothing more starts, and what waits is closed.</summary>
    public async Task StopAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_profiles.Values.Select(p => p.StopAsync())).ConfigureAwait(false);
    }

    public void Dispose()
    {
        StopAsync().GetAwaiter().GetResult();
        _stopping.Dispose();
    }
}
