using System.Runtime.InteropServices;
using static Aisbx.Sandbox.Interop.Interop;

namespace Aisbx.Sandbox.Resident;

/// <summary>
/// One connection of the resident server's socket (a unix seqpacket socket, so each message arrives whole): a
/// message goes with the descriptors beside it as SCM_RIGHTS. Both ends belong to the same user, which each checks
/// with SO_PEERCRED before it believes anything of the other.
/// </summary>
public sealed unsafe class ResidentConnection : IDisposable
{
    private int _fd;

    internal ResidentConnection(int fd) => _fd = fd;

    public int Fd => _fd;

    /// <summary>The user at the other end, as the kernel saw it at connect time.</summary>
    public uint PeerUid
    {
        get
        {
            UCred credentials = default;
            var length = (uint)sizeof(UCred);
            return GetSockOpt(_fd, SOL_SOCKET, SO_PEERCRED, &credentials, &length) == 0 ? credentials.Uid : uint.MaxValue;
        }
    }

    public static uint OwnUid => GetEffectiveUserId();

    /// <summary>Connects to the socket at <paramref name="path"/>; null when none listens there (no file, or refused).</summary>
    public static ResidentConnection? Connect(string path)
    {
        var fd = Socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
        if (fd < 0)
        {
            return null;
        }

        var done = ResidentAddress.With(path, (address, length) => Interop.Interop.Connect(fd, address, length) == 0);
        if (!done)
        {
            _ = Close(fd);
            return null;
        }

        return new ResidentConnection(fd);
    }

    public bool Send(ReadOnlySpan<byte> message, ReadOnlySpan<int> descriptors) => Interop.Interop.SendWithDescriptors(_fd, message, descriptors);

    /// <summary>
    /// Waits for one message of at most <paramref name="maxBytes"/> with at most <paramref name="maxDescriptors"/>
    /// beside it. Null when the other end is gone, or sent something longer or with more descriptors (which are closed).
    /// </summary>
    public (byte[] Message, int[] Descriptors)? Receive(int maxBytes, int maxDescriptors)
    {
        var buffer = new byte[maxBytes + 1];
        var controlSize = CmsgSpace(Math.Max(maxDescriptors, 1));
        var control = stackalloc byte[controlSize];
        new Span<byte>(control, controlSize).Clear();
        fixed (byte* bytes = buffer)
        {
            var iov = new IoVec { Base = bytes, Length = (nuint)buffer.Length };
            var header = new MsgHdr { Iov = &iov, IovLength = 1, Control = control, ControlLength = (nuint)controlSize };
            nint received;
            do
            {
                received = RecvMsg(_fd, &header, MSG_CMSG_CLOEXEC);
            }
            while (received < 0 && Marshal.GetLastPInvokeError() == EINTR);

            var descriptors = received < 0 ? [] : ReceivedDescriptors(control, header.ControlLength).ToArray();
            if (received <= 0 || received > maxBytes || descriptors.Length > maxDescriptors || (header.Flags & (MSG_CTRUNC | MSG_TRUNC)) != 0)
            {
                foreach (var descriptor in descriptors)
                {
                    _ = Close(descriptor);
                }

                return null;
            }

            return (buffer.AsSpan(0, (int)received).ToArray(), descriptors);
        }
    }

    /// <summary>
    /// Blocks until <paramref name="work"/> is done; if the other end hangs up (or sends anything) first, cancels
    /// <paramref name="cancel"/> and still waits for the work to end.
    /// </summary>
    public void WatchWhile(Task work, CancellationTokenSource cancel)
    {
        var wake = stackalloc int[2];
        if (Pipe2(wake, O_CLOEXEC) != 0)
        {
            work.Wait(CancellationToken.None);
            return;
        }

        try
        {
            var signal = wake[1];
            var woken = work.ContinueWith(_ => WakeUp(signal), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            var slots = stackalloc PollFd[2];
            slots[0] = new PollFd { Fd = _fd, Events = POLLIN | POLLRDHUP };
            slots[1] = new PollFd { Fd = wake[0], Events = POLLIN };
            while (!work.IsCompleted)
            {
                var ready = Poll(slots, 2, -1);
                if (ready < 0 && Marshal.GetLastPInvokeError() == EINTR)
                {
                    continue;
                }

                if (slots[0].Revents != 0)
                {
                    cancel.Cancel();
                    break;
                }
            }

            // The wake-up's write is done before its descriptors close (a late write could hit a reused number).
            woken.Wait(CancellationToken.None);
        }
        finally
        {
            _ = Close(wake[0]);
            _ = Close(wake[1]);
        }
    }

    private static void WakeUp(int fd)
    {
        byte one = 1;
        _ = Write(fd, &one, 1);
    }

    /// <summary>Says nothing more: the peer sees a hang-up (POLLRDHUP) and can still answer.</summary>
    public void HangUp() => _ = Interop.Interop.Shutdown(_fd, SHUT_WR);

    /// <summary>Ends the connection both ways: a wait on it at either end returns.</summary>
    public void Shutdown() => _ = Interop.Interop.Shutdown(_fd, SHUT_RDWR);

    public void Dispose()
    {
        var fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0)
        {
            _ = Close(fd);
        }
    }
}
