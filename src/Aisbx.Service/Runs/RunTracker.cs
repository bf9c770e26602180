using System.Collections.Concurrent;

namespace Aisbx.Service.Runs;

/// <summary>The runs in flight, so that a server that stops ends every sandbox it started and waits for them to go.</summary>
public sealed class RunTracker : IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<Task, byte> _running = new();

    /// <summary>Cancelled when the server stops: every run's token is linked to it.</summary>
    public CancellationToken Stopping => _stopping.Token;

    public int Count => _running.Count;

    public async Task<T> Track<T>(Task<T> run)
    {
        _running.TryAdd(run, 0);
        try
        {
            return await run.ConfigureAwait(false);
        }
        finally
        {
            _running.TryRemove(run, out _);
        }
    }

    /// <summary>Ends every sandbox in flight and waits (up to <paramref name="grace"/>) until they are gone.</summary>
    public async Task StopAllAsync(TimeSpan grace)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        var pending = _running.Keys.ToArray();
        if (pending.Length > 0)
        {
            await Task.WhenAny(Task.WhenAll(pending), Task.Delay(grace)).ConfigureAwait(false);
        }
    }

    public void Dispose() => _stopping.Dispose();
}
