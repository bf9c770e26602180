using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.RateLimiting;
using Aisbx.Service.Limits;
using Aisbx.Core.Configuration;
using Aisbx.Core.Sandboxes;
using Aisbx.Sandbox.Live;

namespace Aisbx.Service.Sandboxes;

/// <summary>
/// The live sandboxes of this server, by handle, with their caps (per owner, in all, creations per minute) and what
/// is remembered of those that ended (the reason, told once per caller afterwards as often as they ask). A handle
/// is found only for its owner: for anyone else it does not exist, ended or not.
/// </summary>
public sealed class SandboxRegistry : IDisposable
{
    private const int RememberedEnds = 10_000;

    private readonly LiveSandboxSettings _settings;
    private readonly ConcurrentDictionary<string, LiveSandbox> _live = new(StringComparer.Ordinal);
    private readonly ConditionalWeakTable<LiveSandbox, Task> _gone = new();
    private readonly ConcurrentDictionary<string, (string Owner, SandboxEnd Reason)> _ended = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _endedOrder = new();
    private readonly Dictionary<string, int> _reserved = new(StringComparer.Ordinal);
    private readonly Lock _capLock = new();
    private readonly PartitionedRateLimiter<string> _creations;
    private int _reservedTotal;

    public SandboxRegistry(LiveSandboxSettings settings)
    {
        _settings = settings;
        _creations = new QuietPartitionedLimiter<string>(owner => owner, _ => new SlidingWindowRateLimiter(new SlidingWindowRateLimiterOptions
        {
            PermitLimit = settings.CreationsPerMinute,
            Window = TimeSpan.FromMinutes(1),
            SegmentsPerWindow = 6,
            QueueLimit = 0,
        }));
    }

    public int Count => _live.Count;

    /// <summary>Takes a place for a new sandbox of <paramref name="owner"/>, or says which cap is in the way.</summary>
    /// <returns>Null with a place taken (give it back with <see cref="Release"/>), or the cap's rule and message.</returns>
    public (string Rule, string Message)? Reserve(string owner)
    {
        lock (_capLock)
        {
            var own = _reserved.GetValueOrDefault(owner);
            if (own >= _settings.MaxPerCaller)
            {
                return ("sandbox-cap", $"refused (sandbox-cap): {own} live sandboxes already belong to this caller, the most it may keep ({_settings.MaxPerCaller}): close one (aisbx-sandbox-close, DELETE /v1/sandboxes/ID) and retry");
            }

            if (_reservedTotal >= _settings.MaxTotal)
            {
                return ("sandbox-cap-total", $"refused (sandbox-cap-total): this server keeps at most {_settings.MaxTotal} live sandboxes, and has that many: retry later, or ask the operator to raise [sandboxes] max_total");
            }

            using var lease = _creations.AttemptAcquire(owner);
            if (!lease.IsAcquired)
            {
                return ("sandbox-rate", $"refused (sandbox-rate): over {_settings.CreationsPerMinute} sandboxes created a minute by this caller: retry in a minute, or keep a sandbox and run many commands in it");
            }

            _reserved[owner] = own + 1;
            _reservedTotal++;
            return null;
        }
    }

    public void Release(string owner)
    {
        lock (_capLock)
        {
            if (_reserved.TryGetValue(owner, out var own))
            {
                _reserved[owner] = Math.Max(0, own - 1);
                _reservedTotal = Math.Max(0, _reservedTotal - 1);
            }
        }
    }

    /// <summary>Adds a started sandbox under its place; when it ends, its place is given back and its reason kept.</summary>
    public void Add(LiveSandbox sandbox, Action<LiveSandbox, SandboxEnd> onEnded)
    {
        _live[sandbox.Id] = sandbox;
        var gone = sandbox.Ended.ContinueWith(ended =>
        {
            _live.TryRemove(sandbox.Id, out _);
            Remember(sandbox.Id, sandbox.Owner, ended.Result);
            Release(sandbox.Owner);
            onEnded(sandbox, ended.Result);
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        _gone.AddOrUpdate(sandbox, gone);
    }

    /// <summary>Completes once an ended sandbox has left the registry and its end is on the record.</summary>
    public Task WhenGone(LiveSandbox sandbox) => _gone.TryGetValue(sandbox, out var gone) ? gone : sandbox.Ended;

    /// <summary>The owner's sandbox of that handle; or why it ended; or nothing, the same for a handle of another owner as for one that never was.</summary>
    public (LiveSandbox? Sandbox, SandboxEnd? Ended) Find(string? handle, string owner)
    {
        if (handle is null)
        {
            return (null, null);
        }

        if (_live.TryGetValue(handle, out var sandbox))
        {
            return sandbox.Owner == owner ? (sandbox, null) : (null, null);
        }

        return (_ended.TryGetValue(handle, out var end) || _ended.TryGetValue(RestartedKey(SandboxJournal.Hash(handle)), out end)) && end.Owner == owner
            ? (null, end.Reason)
            : (null, null);
    }

    public IReadOnlyList<LiveSandbox> Of(string owner) => [.. _live.Values.Where(s => s.Owner == owner).OrderBy(s => s.CreatedAt)];

    public IReadOnlyList<LiveSandbox> All() => [.. _live.Values];

    /// <summary>Sandboxes (by their handles' hashes) of a server that was killed: their ends are told as "server restarted".</summary>
    public void RememberRestarted(IEnumerable<(string Hash, string Owner)> handles)
    {
        foreach (var (hash, owner) in handles)
        {
            Remember(RestartedKey(hash), owner, SandboxEnd.ServerRestarted);
        }
    }

    private static string RestartedKey(string hash) => "sha256:" + hash;

    private void Remember(string handle, string owner, SandboxEnd reason)
    {
        _ended[handle] = (owner, reason);
        _endedOrder.Enqueue(handle);
        while (_endedOrder.Count > RememberedEnds && _endedOrder.TryDequeue(out var oldest))
        {
            _ended.TryRemove(oldest, out _);
        }
    }

    public void Dispose() => _creations.Dispose();
}
