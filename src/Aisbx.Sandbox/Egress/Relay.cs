using System.Buffers;
using System.Net.Sockets;

namespace Aisbx.Sandbox.Egress;

/// <summary>
/// Copies bytes both ways between the sandbox's connection and the upstream one, each direction with one pooled
/// buffer, every byte taken from the sandbox's budget first. An end of stream is passed on as a half-close; a
/// reset, an error or the budget's end ends both directions.
/// </summary>
internal static class Relay
{
    public const int BufferSize = 128 * 1024;

    /// <summary>Bytes moved from <paramref name="from"/> to <paramref name="to"/>.</summary>
    internal sealed class Direction
    {
        public long Bytes;
    }

    /// <summary>
    /// Relays until both directions ended. <paramref name="untilUpstreamEnds"/>: the upstream's end of stream ends
    /// both (a forwarded request: its response is complete). Returns whether the budget cut it.
    /// </summary>
    public static async Task<bool> RunAsync(
        Socket client, Socket upstream, Direction outbound, Direction inbound, EgressBudget budget,
        Func<Socket, Socket, Direction, CancellationToken, Task<bool>>? inboundStart, bool untilUpstreamEnds,
        CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, budget.Cut);
        var up = PumpGuardedAsync(client, upstream, outbound, budget, null, stop);
        var down = PumpGuardedAsync(upstream, client, inbound, budget, inboundStart, stop);
        var first = await Task.WhenAny(up, down);
        if (!await first || (untilUpstreamEnds && first == down))
            await stop.CancelAsync();
        await Task.WhenAll(up, down);
        return budget.BytesLimitHit;
    }

    /// <summary>True when the source ended its stream cleanly (and the end was passed on); false on anything else.</summary>
    private static async Task<bool> PumpGuardedAsync(
        Socket from, Socket to, Direction direction, EgressBudget budget,
        Func<Socket, Socket, Direction, CancellationToken, Task<bool>>? start, CancellationTokenSource stop)
    {
        try
        {
            if (start is not null && !await start(from, to, direction, stop.Token))
                return false;
            return await PumpAsync(from, to, direction, budget, stop.Token);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
            return false;
        }
    }

    private static async Task<bool> PumpAsync(Socket from, Socket to, Direction direction, EgressBudget budget, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer.AsMemory(0, BufferSize), SocketFlags.None, cancellationToken);
                if (read == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return true;
                }
                if (!await SendAsync(to, buffer.AsMemory(0, read), direction, budget, cancellationToken))
                {
                    // Cut at the cap: what was granted is sent; end the stream there rather than reset it.
                    to.Shutdown(SocketShutdown.Send);
                    return false;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Sends what the budget grants of <paramref name="bytes"/>; false when it did not grant all.</summary>
    public static async ValueTask<bool> SendAsync(Socket to, ReadOnlyMemory<byte> bytes, Direction direction, EgressBudget budget, CancellationToken cancellationToken)
    {
        var granted = budget.Take(bytes.Length);
        try
        {
            var sent = 0;
            while (sent < granted)
                sent += await to.SendAsync(bytes[sent..granted], SocketFlags.None, cancellationToken);
        }
        finally
        {
            direction.Bytes += granted;
            if (budget.BytesLimitHit)
                budget.CutAll();
        }
        return !budget.BytesLimitHit;
    }
}
