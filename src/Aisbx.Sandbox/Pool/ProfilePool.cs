using Aisbx.Core.Sandboxes;

namespace Aisbx.Sandbox.Pool;

/// <summary>
/// The waiting sandboxes of one profile: refilled to its size in the background after each take, closed when the
/// profile has not been used for <c>keep_for</c>. A failed start holds refills back for a while rather than retrying
/// in a loop (an unbuilt tree fails every time; its runs get the real error the usual way).
/// </summary>
internal sealed class ProfilePool(string profile, int size, TimeSpan keepFor, Func<string, CancellationToken, Task<PooledSandbox>> start, CancellationToken stopping) : IDisposable
{
    private static readonly TimeSpan FailureBackoff = TimeSpan.FromSeconds(5);

    private readonly Lock _lock = new();
    private readonly Queue<PooledSandbox> _ready = new();
    private readonly List<Task> _starts = [];
    private int _starting;
    private long? _failedAt;
    private Timer? _drain;
    private bool _disposed;
    private bool _drained;

    public string Profile => profile;

    public int Ready
    {
        get
        {
            lock (_lock)
            {
                return _ready.Count;
            }
        }
    }

    /// <summary>
    /// A waiting sandbox, or null; either way a use of the profile, which keeps its pool. An empty pool refills at
    /// once; after a take, the run calls <see cref="Refill"/> when it is done, so that its replacement's start does
    /// not compete with it for the CPU.
    /// </summary>
    public PooledSandbox? Take()
    {
        PooledSandbox? taken = null;
        lock (_lock)
        {
            if (_disposed)
            {
                return null;
            }

            while (taken is null && _ready.TryDequeue(out var next))
            {
                taken = next.Sandbox.Ended.IsCompleted ? null : next;
            }

            KeepLocked();
            if (taken is null)
            {
                FillLocked();
            }
        }

        return taken;
    }

    /// <summary>
    /// The profile was used shortly before this server started: fill now, and close again after <c>keep_for</c>
    /// unless a run comes.
    /// </summary>
    public void WarmUp()
    {
        lock (_lock)
        {
            if (!_disposed)
            {
                KeepLocked();
                FillLocked();
            }
        }
    }

    /// <summary>Starts what the pool lacks, in the background.</summary>
    public void Refill()
    {
        lock (_lock)
        {
            if (!_disposed && !_drained)
            {
                FillLocked();
            }
        }
    }

    /// <summary>Closes every waiting sandbox (their tree was built again): the next take finds none, and refills.</summary>
    public void CloseWaiting()
    {
        lock (_lock)
        {
            while (_ready.TryDequeue(out var waiting))
            {
                waiting.Sandbox.Close(SandboxEnd.Closed);
            }
        }
    }

    /// <summary>Closes what waits and what is starting, and waits until the starts are over.</summary>
    public Task StopAsync()
    {
        lock (_lock)
        {
            _disposed = true;
            _drain?.Dispose();
            List<Task> gone = [.. _starts];
            while (_ready.TryDequeue(out var waiting))
            {
                waiting.Sandbox.Close(SandboxEnd.ServerStopped);
                gone.Add(waiting.Sandbox.Ended);
            }

            return Task.WhenAll(gone);
        }
    }

    public void Dispose() => _ = StopAsync();

    /// <summary>A use: the pool stays for another <c>keep_for</c>.</summary>
    private void KeepLocked()
    {
        _drained = false;
        _drain ??= new Timer(_ => Drain(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _drain.Change(keepFor, Timeout.InfiniteTimeSpan);
    }

    private void FillLocked()
    {
        if (_failedAt is { } failedAt && Environment.TickCount64 - failedAt < (long)FailureBackoff.TotalMilliseconds)
        {
            return;
        }

        for (var missing = size - _ready.Count - _starting; missing > 0; missing--)
        {
            _starting++;
            var starting = StartOneAsync();
            _starts.Add(starting);
            _ = starting.ContinueWith(done =>
            {
                lock (_lock)
                {
                    _starts.Remove(done);
                }
            }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    private async Task StartOneAsync()
    {
        PooledSandbox? started = null;
        try
        {
            // Off the taking run's thread: the plan, the workspace and the spawn are the replacement's cost, not the run's.
            started = await Task.Run(() => start(profile, stopping), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is Core.AisbxException or OperationCanceledException or IOException or UnauthorizedAccessException or System.ComponentModel.Win32Exception)
        {
            // Why is not lost: the same request, run the usual way, fails with the same error in the caller's words.
        }

        lock (_lock)
        {
            _starting--;
            if (started is null)
            {
                _failedAt = Environment.TickCount64;
                return;
            }

            if (_disposed || _drained)
            {
                started.Sandbox.Close(_disposed ? SandboxEnd.ServerStopped : SandboxEnd.Idle);
                return;
            }

            _ready.Enqueue(started);
        }
    }

    /// <summary>No run of the profile for <c>keep_for</c>: its sandboxes close, and it costs nothing until its next run.</summary>
    private void Drain()
    {
        lock (_lock)
        {
            if (!_disposed)
            {
                _drained = true;
                while (_ready.TryDequeue(out var waiting))
                {
                    waiting.Sandbox.Close(SandboxEnd.Idle);
                }
            }
        }
    }
}
