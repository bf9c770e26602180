using System.Net.Sockets;

namespace Aisbx.Sandbox.Egress;

/// <summary>
/// Reads an HTTP head (up to and with its blank line) into a buffer of <see cref="MaxHead"/> bytes. What came
/// after the head in the same reads (a body's start, a TLS hello sent early) is kept for the relay.
/// </summary>
internal static class HeadReader
{
    public const int MaxHead = 16 * 1024;

    public enum Status { Complete, TooLarge, Closed }

    /// <summary>
    /// Reads until the head is complete. <paramref name="filled"/> bytes may already be in the buffer; returns the
    /// head's length (with its CRLFCRLF) and how many bytes the buffer holds in all.
    /// </summary>
    public static async ValueTask<(Status Status, int HeadLength, int Filled)> ReadAsync(
        Socket socket, byte[] buffer, int filled, CancellationToken cancellationToken)
    {
        var searched = 0;
        while (true)
        {
            var end = buffer.AsSpan(Math.Max(0, searched - 3), filled - Math.Max(0, searched - 3)).IndexOf("\r\n\r\n"u8);
            if (end >= 0)
                return (Status.Complete, Math.Max(0, searched - 3) + end + 4, filled);
            searched = filled;
            if (filled == Math.Min(buffer.Length, MaxHead))
                return (Status.TooLarge, 0, filled);
            var read = await socket.ReceiveAsync(buffer.AsMemory(filled, Math.Min(buffer.Length, MaxHead) - filled), SocketFlags.None, cancellationToken);
            if (read == 0)
                return (Status.Closed, 0, filled);
            filled += read;
        }
    }
}
