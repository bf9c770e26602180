using System.Runtime.InteropServices;
using static Aisbx.Sandbox.Interop.Interop;

namespace Aisbx.Sandbox.Resident;

/// <summary>
/// The stdin of a run that the resident server makes: a pipe whose read end goes to the server (and on to the
/// program), fed from the caller's stdin by a thread of this process only once the run was accepted, so that a run
/// that goes elsewhere after all loses no input. The program never gets a descriptor of the caller's.
/// </summary>
public sealed unsafe class StdinFeed : IDisposable
{
    private const int ChunkSize = 64 * 1024;
    private int _read;
    private int _write;

    private StdinFeed(int read, int write)
    {
        _read = read;
        _write = write;
    }

    /// <summary>The end to send: the program reads it.</summary>
    public int ReadEnd => _read;

    public static StdinFeed Create()
    {
        var fds = stackalloc int[2];
        if (Pipe2(fds, O_CLOEXEC) != 0)
        {
            throw new IOException($"cannot make a pipe: errno {Marshal.GetLastPInvokeError()}");
        }

        return new StdinFeed(fds[0], fds[1]);
    }

    /// <summary>The read end was sent: this process keeps only the write end (so the program sees end of file when it closes).</summary>
    public void ReadEndSent() => CloseRead();

    /// <summary>Starts copying the caller's stdin (fd 0) into the pipe; with no stdin of the caller's, closes it (end of file).</summary>
    public void Start()
    {
        if (!CallerDescriptors.IsCallers(0))
        {
            CloseWrite();
            return;
        }

        new Thread(Copy) { IsBackground = true, Name = "aisbx stdin" }.Start();
    }

    private void Copy()
    {
        var buffer = new byte[ChunkSize];
        fixed (byte* pointer = buffer)
        {
            while (true)
            {
                var read = Read(0, pointer, ChunkSize);
                if (read < 0 && Marshal.GetLastPInvokeError() == EINTR)
                {
                    continue;
                }

                if (read <= 0 || !WriteAll(pointer, read))
                {
                    break;
                }
            }
        }

        CloseWrite();
    }

    private bool WriteAll(byte* data, nint length)
    {
        while (length > 0)
        {
            var written = Write(Volatile.Read(ref _write), data, length);
            if (written < 0)
            {
                if (Marshal.GetLastPInvokeError() == EINTR)
                {
                    continue;
                }

                return false; // The program closed its stdin, or ended.
            }

            data += written;
            length -= written;
        }

        return true;
    }

    private void CloseRead()
    {
        var fd = Interlocked.Exchange(ref _read, -1);
        if (fd >= 0)
        {
            _ = Close(fd);
        }
    }

    private void CloseWrite()
    {
        var fd = Interlocked.Exchange(ref _write, -1);
        if (fd >= 0)
        {
            _ = Close(fd);
        }
    }

    public void Dispose()
    {
        CloseRead();
        // The copying thread may still hold the write end: it closes it when it ends (with the process, at the latest).
    }
}
