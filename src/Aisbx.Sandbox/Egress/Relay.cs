using System.Buffers;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using static Aisbx.Sandbox.Interop.Interop;

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
        Func<Socket, Socket, Direction, CancellationToken, Task<bool>>? inboundStart, bool untilUpstreamEnds, bool splice,
        CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, budget.Cut);
        var up = PumpGuardedAsync(client, upstream, outbound, budget, null, splice, stop);
        var down = PumpGuardedAsync(upstream, client, inbound, budget, inboundStart, splice, stop);
        var first = await Task.WhenAny(up, down);
        if (!await first || (untilUpstreamEnds && first == down))
            await stop.CancelAsync();
        await Task.WhenAll(up, down);
        return budget.BytesLimitHit;
    }

    /// <summary>True when the source ended its stream cleanly (and the end was passed on); false on anything else.</summary>
    private static async Task<bool> PumpGuardedAsync(
        Socket from, Socket to, Direction direction, EgressBudget budget,
        Func<Socket, Socket, Direction, CancellationToken, Task<bool>>? start, bool splice, CancellationTokenSource stop)
    {
        try
        {
            if (start is not null && !await start(from, to, direction, stop.Token))
                return false;
            if (splice && SplicePipe.Create() is { } pipe)
            {
                using (pipe)
                    return await SplicePumpAsync(from, to, pipe, direction, budget, stop.Token);
            }
            return await PumpAsync(from, to, direction, budget, stop.Token);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
            return false;
        }
    }

    /// <summary>
    /// Two buffers, so that the next receive runs while the last chunk is sent: on a machine of two cores that is
    /// what brings the relay past 1 GB/s.
    /// </summary>
    private static async Task<bool> PumpAsync(Socket from, Socket to, Direction direction, EgressBudget budget, CancellationToken cancellationToken)
    {
        var filling = ArrayPool<byte>.Shared.Rent(BufferSize);
        var sending = ArrayPool<byte>.Shared.Rent(BufferSize);
        var receive = from.ReceiveAsync(filling.AsMemory(0, BufferSize), SocketFlags.None, cancellationToken);
        var receiving = true;
        try
        {
            while (true)
            {
                int read;
                try
                {
                    read = await receive;
                }
                finally
                {
                    receiving = false;
                }
                if (read == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return true;
                }
                (filling, sending) = (sending, filling);
                var send = SendAsync(to, sending.AsMemory(0, read), direction, budget, cancellationToken);
                receive = from.ReceiveAsync(filling.AsMemory(0, BufferSize), SocketFlags.None, cancellationToken);
                receiving = true;
                if (!await send)
                {
                    // Cut at the cap: what was granted is sent; end the stream there rather than reset it.
                    to.Shutdown(SocketShutdown.Send);
                    return false;
                }
            }
        }
        finally
        {
            // A buffer a receive may still be filling is not given back (the receive could write into it after the
            // return); the collector takes it.
            ArrayPool<byte>.Shared.Return(sending);
            if (!receiving)
                ArrayPool<byte>.Shared.Return(filling);
        }
    }

    /// <summary>
    /// Moves bytes socket to pipe to socket with splice(2), never through user space: the wait for data is a
    /// zero-byte receive (the runtime's epoll), the move non-blocking. When the destination would block, what the
    /// pipe holds goes on by copy (awaited), and splicing resumes.
    /// </summary>
    private static async Task<bool> SplicePumpAsync(
        Socket from, Socket to, SplicePipe pipe, Direction direction, EgressBudget budget, CancellationToken cancellationToken)
    {
        byte[]? spill = null;
        try
        {
            while (true)
            {
                await from.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, cancellationToken);
                var read = Interop.Interop.Splice(from.SafeHandle, 0, pipe.Write, 0, (nuint)pipe.Capacity, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
                if (read < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno == EAGAIN)
                        continue;
                    throw new SocketException(errno);
                }
                if (read == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return true;
                }
                var granted = budget.Take((int)read);
                var moved = 0;
                try
                {
                    while (moved < granted)
                    {
                        var written = Interop.Interop.Splice(pipe.Read, 0, to.SafeHandle, 0, (nuint)(granted - moved), SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
                        if (written > 0)
                        {
                            moved += (int)written;
                            continue;
                        }
                        var errno = Marshal.GetLastPInvokeError();
                        if (written == 0 || errno != EAGAIN)
                            throw new SocketException(written == 0 ? (int)SocketError.ConnectionReset : errno);
                        spill ??= ArrayPool<byte>.Shared.Rent(pipe.Capacity);
                        var drained = pipe.Drain(spill.AsSpan(0, Math.Min(spill.Length, granted - moved)));
                        await SocketIo.SendAllAsync(to, spill.AsMemory(0, drained), cancellationToken);
                        moved += drained;
                    }
                }
                finally
                {
                    direction.Bytes += moved;
                }
                if (budget.BytesLimitHit)
                {
                    budget.CutAll();
                    to.Shutdown(SocketShutdown.Send);
                    return false;
                }
            }
        }
        finally
        {
            if (spill is not null)
                ArrayPool<byte>.Shared.Return(spill);
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
