using System.Net.Sockets;

namespace Aisbx.Sandbox.Egress;

internal static class SocketIo
{
    /// <summary>Fills <paramref name="buffer"/>; false when the peer ended its stream first.</summary>
    public static async ValueTask<bool> ReadExactlyAsync(Socket socket, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        while (buffer.Length > 0)
        {
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
            if (read == 0)
                return false;
            buffer = buffer[read..];
        }
        return true;
    }

    public static async ValueTask SendAllAsync(Socket socket, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        while (bytes.Length > 0)
            bytes = bytes[await socket.SendAsync(bytes, SocketFlags.None, cancellationToken)..];
    }

    private const int LingerBytes = 64 * 1024;
    private static readonly TimeSpan LingerTime = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Sends the proxy's own answer, if the client still listens (a client gone is not an error), then reads and
    /// drops what the client still sends, a little and briefly: closing with unread bytes would reset the
    /// connection, and the client could lose the answer.
    /// </summary>
    public static async ValueTask TryAnswerAsync(Socket socket, ReadOnlyMemory<byte> answer, CancellationToken cancellationToken)
    {
        try
        {
            await SendAllAsync(socket, answer, cancellationToken);
            socket.Shutdown(SocketShutdown.Send);
            using var linger = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            linger.CancelAfter(LingerTime);
            var sink = new byte[4096];
            for (var total = 0; total < LingerBytes;)
            {
                var read = await socket.ReceiveAsync(sink, SocketFlags.None, linger.Token);
                if (read == 0)
                    break;
                total += read;
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
    }
}
