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
    private readonly List<TaskCompletionSource<PooledSandbox?>> _waiting = [];
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
    /// A waiting sandbox, or null; either way a use of the profile, which keeps its pool. A take that finds none
    /// waiting waits (at most <paramref name="patience"/>) for a start under way that no other take claimed, or for
    /// one it can begin now: a start already under way is nearer done than a cold run would be. Null only when
    /// neither is possible (the pool stops, or starts fail and back off). After a take, the run hands its sandbox
    /// back (<see cref="WarmPool.Done"/>), and only then does its replacement start.
    /// </summary>
    public async Task<PooledSandbox?> TakeAsync(TimeSpan patience, CancellationToken cancellationToken)
    {
        TaskCompletionSource<PooledSandbox?> waiter;
        lock (_lock)
        {
            if (_disposed)
            {
                return null;
            }

            KeepLocked();
            while (_ready.TryDequeue(out var next))
            {
                if (!next.Sandbox.Ended.IsCompleted)
                {
                    return next;
                }
            }

            if (_starting <= _waiting.Count && !FillLocked())
            {
                return null;
            }

            waiter = new TaskCompletionSource<PooledSandbox?>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiting.Add(waiter);

            // The start it waits for was to be one of the pool's own: another begins, so the pool still fills to size.
            _ = FillLocked();
        }

        try
        {
            return await waiter.Task.WaitAsync(patience, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            GiveUp(waiter);
            return null;
        }
        catch (OperationCanceledException)
        {
            GiveUp(waiter);
            throw;
        }
    }

    /// <summary>A take stops waiting; a sandbox handed to it as it stopped is unused, and waits for the next take.</summary>
    private void GiveUp(TaskCompletionSource<PooledSandbox?> waiter)
    {
        lock (_lock)
        {
            // Not in the list: the start completed it, so its result is there (and may be null: no sandbox came).
            if (!_waiting.Remove(waiter) && waiter.Task.Result is { } arrived)
            {
                _ = Hand(arrived); // (closed only when the pool stopped: StopAsync already waits for it then)
            }
        }
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
                _ = FillLocked();
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
                _ = FillLocked();
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
            ReleaseWaitersLocked();
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

    /// <summary>Starts what the pool lacks (its size, and one for each take that waits); whether any began.</summary>
    private bool FillLocked()
    {
        if (_failedAt is { } failedAt && Environment.TickCount64 - failedAt < (long)FailureBackoff.TotalMilliseconds)
        {
            return false;
        }

        var began = false;
        for (var missing = size + _waiting.Count - _ready.Count - _starting; missing > 0; missing--)
        {
            began = true;
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

        return began;
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

        Task closed;
        lock (_lock)
        {
            _starting--;
            if (started is null)
            {
                _failedAt = Environment.TickCount64;
                ReleaseWaitersLocked();
                return;
            }

            closed = Hand(started);
        }

        // A start that ends after the pool stopped is closed, and its end (workspace, cgroup) is part of this task,
        // which StopAsync waits for.
        await closed.ConfigureAwait(false);
    }

    /// <summary>
    /// A started, unused sandbox goes to the take that waits longest, or to the queue; one that came too late (the
    /// pool stopped or drained) is closed, and the task is its end.
    /// </summary>
    private Task Hand(PooledSandbox started)
    {
        if (_disposed || _drained)
        {
            started.Sandbox.Close(_disposed ? SandboxEnd.ServerStopped : SandboxEnd.Idle);
            return started.Sandbox.Ended;
        }

        // A waiter still in the list is not completed yet: whoever removes one completes it, under the lock.
        if (_waiting.Count > 0)
        {
            var waiter = _waiting[0];
            _waiting.RemoveAt(0);
            waiter.SetResult(started);
            return Task.CompletedTask;
        }

        _ready.Enqueue(started);
        return Task.CompletedTask;
    }

    /// <summary>Takes that wait for more starts than are under way give up now (a start failed, or the pool stops).</summary>
    private void ReleaseWaitersLocked()
    {
        while (_waiting.Count > (_disposed || _drained ? 0 : _starting))
        {
            var waiter = _waiting[^1];
            _waiting.RemoveAt(_waiting.Count - 1);
            waiter.SetResult(null);
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
                ReleaseWaitersLocked();
                while (_ready.TryDequeue(out var waiting))
                {
                    waiting.Sandbox.Close(SandboxEnd.Idle);
                }
            }
        }
    }
}
