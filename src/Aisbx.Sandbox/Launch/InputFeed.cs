using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using static Aisbx.Sandbox.Interop.Interop;

namespace Aisbx.Sandbox.Launch;

/// <summary>
/// Moves the caller's stdin into the program's stdin pipe from inside the supervision loop, up to a byte cap. A
/// descriptor-backed source is polled; any other stream (in-memory input) is read only when the pipe has room. The
/// pipe is non-blocking, so a program that never reads stalls nothing.
/// </summary>
internal sealed class InputFeed
{
    private const int ChunkSize = 64 * 1024;

    private readonly Stream _source;
    private readonly int _sourceFd;
    private readonly SafeFileHandle _pipe;
    private readonly long _capBytes;
    private readonly byte[] _pending = new byte[ChunkSize];
    private int _offset;
    private int _count;
    private long _total;
    private bool _done;

    public InputFeed(Stream source, SafeFileHandle pipeWrite, long capBytes)
    {
        _source = source;
        _sourceFd = source switch
        {
            DescriptorStream descriptor => descriptor.Descriptor,
            FileStream file => SandboxExecution.Fd(file.SafeFileHandle),
            _ => -1,
        };
        _pipe = pipeWrite;
        _capBytes = capBytes;
        SetNonBlocking(SandboxExecution.Fd(pipeWrite));
    }

    public bool Truncated { get; private set; }

    /// <summary>Sets what to wait for: more input when nothing is pending, room in the pipe when something is.</summary>
    public void Prepare(ref PollFd source, ref PollFd pipe)
    {
        source = new PollFd { Fd = -1 };
        pipe = new PollFd { Fd = -1 };
        if (_done)
        {
            return;
        }

        if (_count > 0)
        {
            pipe = new PollFd { Fd = SandboxExecution.Fd(_pipe), Events = POLLOUT };
        }
        else if (_sourceFd >= 0)
        {
            source = new PollFd { Fd = _sourceFd, Events = POLLIN };
        }
        else
        {
            // An in-memory source is always ready: read it now and wait for room in the pipe.
            Fill();
            if (_count > 0)
            {
                pipe = new PollFd { Fd = SandboxExecution.Fd(_pipe), Events = POLLOUT };
            }
        }
    }

    public void Pump(short sourceEvents, short pipeEvents)
    {
        if (_done)
        {
            return;
        }

        if (_count == 0 && sourceEvents != 0)
        {
            Fill();
        }

        if (_count > 0 && (pipeEvents != 0 || sourceEvents != 0))
        {
            Flush();
        }
    }

    private void Fill()
    {
        int read;
        try
        {
            read = _source.Read(_pending, 0, (int)Math.Min(ChunkSize, _capBytes - _total + 1));
        }
        catch (IOException)
        {
            read = 0;
        }

        if (read <= 0)
        {
            Finish();
            return;
        }

        if (_total + read > _capBytes)
        {
            read = (int)(_capBytes - _total);
            Truncated = true;
            if (read == 0)
            {
                Finish();
                return;
            }
        }

        _offset = 0;
        _count = read;
        _total += read;
    }

    private unsafe void Flush()
    {
        nint written;
        fixed (byte* pointer = _pending)
        {
            written = Write(SandboxExecution.Fd(_pipe), pointer + _offset, _count);
        }

        if (written < 0)
        {
            var error = Marshal.GetLastPInvokeError();
            if (error is not (EAGAIN or EINTR))
            {
                Finish(); // EPIPE: the program closed its stdin; the rest is not wanted.
            }

            return;
        }

        _offset += (int)written;
        _count -= (int)written;
        if (_count == 0 && (Truncated || _total >= _capBytes))
        {
            Finish();
        }
    }

    private void Finish()
    {
        _done = true;
        _count = 0;
        _pipe.Dispose();
    }
}
