using System.Net.Sockets;

namespace Aisbx.Sandbox.Egress;

/// <summary>
/// One sandbox's egress proxy: it accepts on the listening sockets it is given (HTTP or SOCKS5), decides each
/// connection (<see cref="EgressDialer"/>), relays the allowed ones, and records every one. At most
/// <see cref="EgressOptions.MaxConcurrent"/> connections are served at once; no exception leaves it.
/// </summary>
internal sealed class EgressProxy : IDisposable
{
    private const int KeptConnections = 1000;
    private static readonly TimeSpan DisposeBound = TimeSpan.FromSeconds(5);

    private readonly EgressOptions _options;
    private readonly EgressDialer _dialer;
    private readonly EgressBudget _budget;
    private readonly CancellationTokenSource _closing = new();
    private readonly SemaphoreSlim _slots;
    private readonly Lock _gate = new();
    private readonly List<Socket> _listeners = [];
    private readonly List<Task> _acceptLoops = [];
    private readonly HashSet<EgressSession> _sessions = [];
    private readonly Queue<EgressConnection> _ended = new();
    private bool _disposed;

    public EgressProxy(EgressOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxConnections);
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxBytes);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxConcurrent, 1);
        _options = options;
        _dialer = new EgressDialer(options);
        _budget = new EgressBudget(options.MaxConnections, options.MaxBytes);
        _slots = new SemaphoreSlim(options.MaxConcurrent, options.MaxConcurrent);
    }

    /// <summary>The connections ended so far, the latest <c>1000</c>; <see cref="DroppedConnections"/> counts the older ones.</summary>
    public IReadOnlyList<EgressConnection> Connections
    {
        get
        {
            lock (_gate)
                return [.. _ended];
        }
    }

    public long DroppedConnections { get; private set; }

    public bool ConnectionsLimitHit => _budget.ConnectionsLimitHit;

    public bool BytesLimitHit => _budget.BytesLimitHit;

    /// <summary>Bytes relayed so far, both directions.</summary>
    public long BytesRelayed => _budget.BytesUsed;

    /// <summary>Starts accepting on <paramref name="listener"/> (a listening TCP socket); the proxy owns it from now on.</summary>
    public void Serve(Socket listener, EgressProtocol protocol)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                listener.Dispose();
                throw new ObjectDisposedException(nameof(EgressProxy));
            }
            _listeners.Add(listener);
            _acceptLoops.Add(Task.Run(() => AcceptLoopAsync(listener, protocol)));
        }
    }

    private async Task AcceptLoopAsync(Socket listener, EgressProtocol protocol)
    {
        var closing = _closing.Token;
        while (!closing.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(closing);
            }
            catch (Exception e)
            {
                if (closing.IsCancellationRequested || e is not SocketException)
                    return;
                // Out of descriptors, or a connection reset before it was accepted: try again, not in a spin.
                await Task.Delay(TimeSpan.FromMilliseconds(50), CancellationToken.None);
                continue;
            }
            // A slot is taken after the accept (a listener waiting for its next client holds none), so that each
            // listener holds at most one accepted connection that waits for a slot.
            try
            {
                await _slots.WaitAsync(closing);
            }
            catch (OperationCanceledException)
            {
                client.Dispose();
                return;
            }
            Start(client, protocol);
        }
    }

    private void Start(Socket client, EgressProtocol protocol)
    {
        var session = new EgressSession(client, _budget.TryOpen());
        lock (_gate)
        {
            if (_disposed)
            {
                client.Dispose();
                _slots.Release();
                return;
            }
            _sessions.Add(session);
        }
        _ = RunAsync(session, protocol);
    }

    private async Task RunAsync(EgressSession session, EgressProtocol protocol)
    {
        try
        {
            session.Client.NoDelay = true;
            if (protocol == EgressProtocol.Http)
                await new HttpProxySession(session, _dialer, _budget, _options).RunAsync(_closing.Token);
            else
                await new Socks5Session(session, _dialer, _budget, _options).RunAsync(_closing.Token);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
            // The client went away, or the proxy is closing: the connection ends, recorded as it stood.
        }
        catch (Exception)
        {
            // A fault of ours: the connection ends, recorded as failed; nothing is thrown to the thread pool.
            (session.Verdict, session.Rule) = ("failed", "proxy-error");
        }
        finally
        {
            Finish(session);
        }
    }

    private void Finish(EgressSession session)
    {
        if (session.ClaimRecord())
            Record(session);
        else
            session.End();
        lock (_gate)
            _sessions.Remove(session);
        _slots.Release();
        session.Done.TrySetResult();
    }

    private void Record(EgressSession session)
    {
        var record = session.End();
        lock (_gate)
        {
            _ended.Enqueue(record);
            if (_ended.Count > KeptConnections)
            {
                _ended.Dequeue();
                DroppedConnections++;
            }
        }
        try
        {
            _options.OnConnection?.Invoke(record);
        }
        catch (Exception)
        {
            // The observer's fault is not the connection's.
        }
    }

    /// <summary>
    /// Closes the listeners and every connection and records each one still open, then waits (at most 5 s) for
    /// their tasks to end. When it returns, every connection has its record and no listener is open.
    /// </summary>
    public void Dispose()
    {
        EgressSession[] open;
        Task[] loops;
        lock (_gate)
        {
            if (_disposed)
                return;
            _disposed = true;
            open = [.. _sessions];
            loops = [.. _acceptLoops];
        }
        _closing.Cancel();
        foreach (var listener in _listeners)
            listener.Dispose();
        foreach (var session in open)
        {
            // Recorded here, as it stood, so that the record never waits for the thread pool.
            session.Abort();
            if (session.ClaimRecord())
                Record(session);
        }
        // A connection still running past the bound (an observer that blocks) keeps the budget: it may still count.
        if (Task.WaitAll([.. loops, .. open.Select(s => s.Done.Task)], DisposeBound))
            _budget.Dispose();
    }
}
