using System.Collections.Concurrent;
using Aisbx.Core.Sandboxes;

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
    private readonly ConcurrentDictionary<PooledSandbox, bool> _retiring = new();
    private readonly PoolJournal _journal;

    /// <summary>How long a used sandbox waits before it is destroyed and replaced.</summary>
    internal static readonly TimeSpan AfterRun = TimeSpan.FromMilliseconds(10);

    /// <summary>How long a take waits for a sandbox already starting before it runs cold instead.</summary>
    internal static readonly TimeSpan Patience = TimeSpan.FromSeconds(2);

    /// <param name="journalPath">Where the pool remembers its profiles; <c>&lt;config&gt;/state/pool-profiles</c> by default.</param>
    public WarmPool(SandboxRunner runner, string? journalPath = null)
    {
        _runner = runner;
        _journal = new PoolJournal(journalPath ?? PoolJournal.PathIn(runner.Config.StateDirectory), TimeProvider.System);
    }

    /// <summary>
    /// A server starts: the pools of the profiles used within <c>keep_for</c> (by this config's servers before)
    /// fill at once, so that the first run of each finds a sandbox waiting.
    /// </summary>
    public void WarmUp()
    {
        foreach (var profile in _journal.UsedWithin(_runner.Config.Pool.KeepFor))
        {
            var size = _runner.Config.Pool.SizeFor(profile);
            if (size > 0 && !_stopping.IsCancellationRequested)
            {
                PoolOf(profile, size).WarmUp();
            }
        }
    }

    /// <summary>A caller is about to use <paramref name="profile"/> (it just ran it the usual way): its pool fills now.</summary>
    public void WarmUp(string profile)
    {
        var size = _runner.Config.Pool.SizeFor(profile);
        if (size > 0 && !_stopping.IsCancellationRequested)
        {
            _journal.Used(profile);
            PoolOf(profile, size).WarmUp();
        }
    }

    /// <summary>Used sandboxes not yet destroyed (each for about <see cref="AfterRun"/>).</summary>
    internal int Retiring => _retiring.Count;

    /// <summary>Sandboxes waiting now, by profile (every profile used since the server started).</summary>
    public IReadOnlyList<(string Profile, int Ready)> Ready => [.. _profiles.Values.Select(p => (p.Profile, p.Ready))];

    /// <summary>A waiting sandbox of the profile, or null with why not; either way the profile counts as used.</summary>
    internal async Task<(PooledSandbox? Sandbox, string? Miss)> TakeAsync(string profile, CancellationToken cancellationToken)
    {
        var size = _runner.Config.Pool.SizeFor(profile);
        if (size == 0 || _stopping.IsCancellationRequested)
        {
            return (null, PoolMiss.Disabled);
        }

        _journal.Used(profile);
        var taken = await PoolOf(profile, size).TakeAsync(Patience, cancellationToken).ConfigureAwait(false);
        return (taken, taken is null ? PoolMiss.Empty : null);
    }

    /// <summary>
    /// A run is done with its sandbox, which is never handed out again. Its end and its replacement's start wait a
    /// moment, so that they do not take the CPU from the run's reply on its way out (over HTTP on two cores, that
    /// was half of a pooled call's time). A stopping pool closes it at once and waits for it.
    /// </summary>
    internal void Done(PooledSandbox used, string profile)
    {
        _retiring[used] = true;
        Task delay;
        try
        {
            delay = Task.Delay(AfterRun, _stopping.Token);
        }
        catch (ObjectDisposedException)
        {
            delay = Task.CompletedTask; // the pool is gone: no waiting, and Refill starts nothing
        }

        _ = delay.ContinueWith(waited =>
        {
            used.Sandbox.Close(SandboxEnd.Closed);
            _ = used.Sandbox.Ended.ContinueWith(ended => _retiring.TryRemove(used, out _), TaskScheduler.Default);
            if (_profiles.TryGetValue(profile, out var pool))
            {
                pool.Refill();
            }
        }, TaskScheduler.Default);
    }

    private ProfilePool PoolOf(string profile, int size) =>
        _profiles.GetOrAdd(profile, name => new ProfilePool(name, size, _runner.Config.Pool.KeepFor, _runner.StartPooledAsync, _stopping.Token));

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
        foreach (var used in _retiring.Keys)
        {
            used.Sandbox.Close(SandboxEnd.Closed);
        }

        await Task.WhenAll([.. _profiles.Values.Select(p => p.StopAsync()), .. _retiring.Keys.Select(u => u.Sandbox.Ended)]).ConfigureAwait(false);
    }

    public void Dispose()
    {
        StopAsync().GetAwaiter().GetResult();
        _stopping.Dispose();
    }
}
