using System.Runtime.InteropServices;
using static Aisbx.Sandbox.Interop.Interop;

namespace Aisbx.Sandbox.Egress;

/// <summary>A non-blocking pipe that one relay direction splices through; only that direction uses it.</summary>
internal sealed unsafe class SplicePipe : IDisposable
{
    public const int Size = 1024 * 1024;

    private SplicePipe(int read, int write, int capacity) => (Read, Write, Capacity) = (read, write, capacity);

    public int Read { get; }

    public int Write { get; }

    /// <summary>What the pipe holds (its size, when the kernel granted it).</summary>
    public int Capacity { get; }

    /// <summary>A new pipe, or null when none could be made (out of descriptors): the relay then copies.</summary>
    public static SplicePipe? Create()
    {
        var fds = stackalloc int[2];
        if (Pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0)
            return null;
        var granted = FcntlPipeSize(fds[1], F_SETPIPE_SZ, Size);
        return new SplicePipe(fds[0], fds[1], granted > 0 ? granted : 64 * 1024);
    }

    /// <summary>Reads what the pipe holds into <paramref name="buffer"/> (for a socket that would block: the bytes go on by copy).</summary>
    public int Drain(Span<byte> buffer)
    {
        fixed (byte* p = buffer)
        {
            var read = Interop.Interop.Read(Read, p, buffer.Length);
            return read >= 0 ? (int)read : throw new System.Net.Sockets.SocketException(Marshal.GetLastPInvokeError());
        }
    }

    public void Dispose()
    {
        _ = Close(Read);
        _ = Close(Write);
    }
}
