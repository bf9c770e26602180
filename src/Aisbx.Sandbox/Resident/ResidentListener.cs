using System.Runtime.InteropServices;
using static Aisbx.Sandbox.Interop.Interop;

namespace Aisbx.Sandbox.Resident;

/// <summary>The resident server's listening socket, bound at a path in a directory only its user can enter.</summary>
public sealed unsafe class ResidentListener : IDisposable
{
    private int _fd;
    private int _wakeRead;
    private int _wakeWrite;

    private ResidentListener(int fd, int wakeRead, int wakeWrite) => (_fd, _wakeRead, _wakeWrite) = (fd, wakeRead, wakeWrite);

    /// <summary>Binds a fresh socket at <paramref name="path"/> (any old one there is removed first: the caller holds the lock).</summary>
    /// <exception cref="IOException">The socket could not be bound.</exception>
    public static ResidentListener Bind(string path)
    {
        File.Delete(path);
        var fd = Socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
        if (fd < 0)
        {
            throw new IOException($"cannot make a unix socket: errno {Marshal.GetLastPInvokeError()}");
        }

        var bound = ResidentAddress.With(path, (address, length) => Interop.Interop.Bind(fd, address, length) == 0 && Listen(fd, 64) == 0);
        if (!bound)
        {
            var error = Marshal.GetLastPInvokeError();
            _ = Close(fd);
            throw new IOException($"cannot listen at {path}: errno {error}");
        }

        var wake = stackalloc int[2];
        if (Pipe2(wake, O_CLOEXEC | O_NONBLOCK) != 0)
        {
            var error = Marshal.GetLastPInvokeError();
            _ = Close(fd);
            throw new IOException($"cannot make a pipe: errno {error}");
        }

        return new ResidentListener(fd, wake[0], wake[1]);
    }

    /// <summary>Makes a waiting <see cref="Accept"/>, and every one after it, return null at once (the server stops).</summary>
    public void Wake()
    {
        byte one = 1;
        _ = Write(Volatile.Read(ref _wakeWrite), &one, 1);
    }

    /// <summary>
    /// The next connection, or null when none came within <paramref name="timeoutMilliseconds"/> (-1: no limit) or
    /// <see cref="Wake"/> was called.
    /// </summary>
    public ResidentConnection? Accept(int timeoutMilliseconds)
    {
        var slots = stackalloc PollFd[2];
        slots[0] = new PollFd { Fd = _fd, Events = POLLIN };
        slots[1] = new PollFd { Fd = _wakeRead, Events = POLLIN };
        var ready = Poll(slots, 2, timeoutMilliseconds);
        if (ready <= 0 || slots[1].Revents != 0 || (slots[0].Revents & POLLIN) == 0)
        {
            return null;
        }

        var connection = Accept4(_fd, null, null, SOCK_CLOEXEC);
        return connection < 0 ? null : new ResidentConnection(connection);
    }

    public void Dispose()
    {
        foreach (var fd in (int[])[Interlocked.Exchange(ref _fd, -1), Interlocked.Exchange(ref _wakeRead, -1), Interlocked.Exchange(ref _wakeWrite, -1)])
        {
            if (fd >= 0)
            {
                _ = Close(fd);
            }
        }
    }
}
