namespace Aisbx.Sandbox.Egress;

/// <summary>
/// A sandbox's caps over its life: connections accepted, and bytes relayed in both directions together. When the
/// bytes are spent, <see cref="Cut"/> is cancelled, which ends every open connection.
/// </summary>
internal sealed class EgressBudget(int maxConnections, long maxBytes) : IDisposable
{
    public const string ConnectionsRule = "egress-connections";
    public const string BytesRule = "egress-bytes";

    private readonly CancellationTokenSource _cut = new();
    private int _connections;
    private long _bytes;
    private int _connectionsHit;
    private int _bytesHit;

    public CancellationToken Cut => _cut.Token;

    public bool ConnectionsLimitHit => Volatile.Read(ref _connectionsHit) != 0;

    public bool BytesLimitHit => Volatile.Read(ref _bytesHit) != 0;

    public long BytesUsed => Interlocked.Read(ref _bytes);

    public int ConnectionsUsed => Volatile.Read(ref _connections);

    /// <summary>Counts one more connection; false past the cap (and the flag is then set).</summary>
    public bool TryOpen()
    {
        if (Interlocked.Increment(ref _connections) <= maxConnections)
            return true;
        Interlocked.Decrement(ref _connections);
        Volatile.Write(ref _connectionsHit, 1);
        return false;
    }

    /// <summary>
    /// Takes up to <paramref name="count"/> bytes; returns how many may be sent. When that reaches the cap the flag
    /// is set, and the caller cuts every connection (<see cref="CutAll"/>) once it has sent the granted bytes.
    /// </summary>
    public int Take(int count)
    {
        while (true)
        {
            var used = Interlocked.Read(ref _bytes);
            var granted = (int)Math.Min(count, Math.Max(0, maxBytes - used));
            if (Interlocked.CompareExchange(ref _bytes, used + granted, used) != used)
                continue;
            if (used + granted >= maxBytes)
                Volatile.Write(ref _bytesHit, 1);
            return granted;
        }
    }

    /// <summary>Ends every open connection (once the bytes are spent).</summary>
    public void CutAll()
    {
        try
        {
            _cut.Cancel();
        }
        catch (AggregateException)
        {
            // A registration's callback threw; the token is cancelled anyway.
        }
    }

    public void Dispose() => _cut.Dispose();
}
