using System.Collections.Concurrent;
using System.Threading.RateLimiting;

namespace Aisbx.Service.Limits;

/// <summary>
/// A partitioned limiter whose partitions are the library's own limiters, without the library's heartbeat:
/// <see cref="PartitionedRateLimiter.Create{TResource, TPartitionKey}"/> wakes a thread every 100 ms for as long as
/// it lives (to replenish its partitions and to drop idle ones), which was most of an idle server's CPU. Here each
/// window limiter replenishes on its own timer (one segment's period, seconds), and partitions idle for a while
/// are dropped while new ones are made, so that many callers cannot grow it without bound. A dropped partition
/// held nothing and starts again full, which is what it would have been by then.
/// </summary>
/// <param name="idleLimit">
/// How long a partition must have held nothing before it may be dropped (10 s, as the library's): a window limiter
/// holds nothing once its whole window has passed, so dropping it changes no answer.
/// </param>
public sealed class QuietPartitionedLimiter<TResource>(Func<TResource, string> partitionOf, Func<string, RateLimiter> create, TimeSpan? idleLimit = null)
    : PartitionedRateLimiter<TResource>
{
    /// <summary>Partitions kept before idle ones are looked for.</summary>
    public const int SweepAbove = 256;

    private readonly TimeSpan _idleLimit = idleLimit ?? TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, RateLimiter> _partitions = new(StringComparer.Ordinal);
    private readonly Lock _sweepLock = new();
    private long _sweptAt;
    private int _leftBySweep;
    private bool _disposed;

    public int Partitions => _partitions.Count;

    public override RateLimiterStatistics? GetStatistics(TResource resource) => Partition(partitionOf(resource)).GetStatistics();

    protected override RateLimitLease AttemptAcquireCore(TResource resource, int permitCount)
    {
        var key = partitionOf(resource);
        while (true)
        {
            try
            {
                return Partition(key).AttemptAcquire(permitCount);
            }
            catch (ObjectDisposedException) when (!_disposed)
            {
                // Dropped as idle between the lookup and the acquire: the next lookup makes it afresh.
            }
        }
    }

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(TResource resource, int permitCount, CancellationToken cancellationToken)
    {
        var key = partitionOf(resource);
        while (true)
        {
            try
            {
                return await Partition(key).AcquireAsync(permitCount, cancellationToken).ConfigureAwait(false);
            }
            catch (ObjectDisposedException) when (!_disposed)
            {
            }
        }
    }

    private RateLimiter Partition(string key)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_partitions.TryGetValue(key, out var limiter))
        {
            return limiter;
        }

        var count = _partitions.Count;
        if (count >= SweepAbove && (count >= 2 * Volatile.Read(ref _leftBySweep) || Environment.TickCount64 - Volatile.Read(ref _sweptAt) >= 1000))
        {
            // At most once a second unless the partitions doubled since: many new callers at once cost no sweep each.
            DropIdle();
        }

        var made = create(key);
        var kept = _partitions.GetOrAdd(key, made);
        if (!ReferenceEquals(kept, made))
        {
            made.Dispose();
        }

        return kept;
    }

    /// <summary>Drops the partitions that hold nothing and were not used for the idle limit.</summary>
    private void DropIdle()
    {
        lock (_sweepLock)
        {
            foreach (var (key, limiter) in _partitions)
            {
                if (limiter.IdleDuration is { } idle && idle >= _idleLimit && _partitions.TryRemove(new KeyValuePair<string, RateLimiter>(key, limiter)))
                {
                    limiter.Dispose();
                }
            }

            Volatile.Write(ref _leftBySweep, _partitions.Count);
            Volatile.Write(ref _sweptAt, Environment.TickCount64);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            foreach (var limiter in _partitions.Values)
            {
                limiter.Dispose();
            }

            _partitions.Clear();
        }

        base.Dispose(disposing);
    }
}
