using System.Runtime.InteropServices;
using Aisbx.Core.Profiles;
using Microsoft.Win32.SafeHandles;
using static Aisbx.Sandbox.Interop.Interop;

namespace Aisbx.Sandbox.Seccomp;

/// <summary>
/// aisbx's side of the launcher's filter. It receives the notification listener over the socket the launcher
/// inherited, then answers each suspended syscall as the profile says: EPERM, or the end of the sandbox (the call
/// stays suspended while the sandbox is killed, so it never runs). Each one is reported as it happens. The egress
/// proxy's listening sockets, when the launcher opened any, come in the same message and go to <paramref name="egress"/>.
/// </summary>
internal sealed unsafe class ViolationMonitor(
    SafeFileHandle? socket, SyscallPolicy policy, Action<SyscallViolation> report, Action killSandbox, Action<int[]>? egress = null) : IDisposable
{
    private const int MaxDescriptors = 3;

    private const int EPERM = 1;
    private const int ENOENT = 2;

    private int _listener = -1;
    private bool _socketOpen = socket is not null;

    /// <summary>The launcher installed the filter and handed its listener over: the program is filtered.</summary>
    public bool FilterInstalled { get; private set; }

    /// <summary>A kill rule matched, and the sandbox was ended for it.</summary>
    public bool KilledSandbox { get; private set; }

    /// <summary>The descriptor to poll for the hand-off, or -1 once it is over.</summary>
    public int SocketFd => _socketOpen ? (int)socket!.DangerousGetHandle() : -1;

    /// <summary>The host pid of the process whose syscall was judged last (read inside the report callback).</summary>
    public int LastCallerPid { get; private set; }

    /// <summary>Takes a listener that arrived some other way (a live sandbox's agent sends it in its first frame).</summary>
    public void Adopt(int listener)
    {
        CloseListener();
        _listener = listener;
        FilterInstalled = true;
    }

    /// <summary>The descriptor to poll for suspended syscalls, or -1.</summary>
    public int ListenerFd => _listener;

    /// <summary>Takes the listener from the socket; after end of file (the launcher failed), the socket is done.</summary>
    public void OnSocketReady()
    {
        if (!_socketOpen)
        {
            return;
        }

        byte marker;
        var iov = new IoVec { Base = &marker, Length = 1 };
        var controlSize = CmsgSpace(MaxDescriptors);
        var control = stackalloc byte[controlSize];
        new Span<byte>(control, controlSize).Clear();
        var message = new MsgHdr { Iov = &iov, IovLength = 1, Control = control, ControlLength = (nuint)controlSize };
        var received = RecvMsg(SocketFd, &message, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
        if (received < 0 && Marshal.GetLastPInvokeError() is EAGAIN or EINTR)
        {
            return;
        }

        var descriptors = ReceivedDescriptors(control, message.ControlLength);
        if (received > 0 && !descriptors.IsEmpty)
        {
            _listener = descriptors[0];
            FilterInstalled = true;
            TakeEgress(descriptors[1..]);
        }

        _socketOpen = false;
        socket!.Dispose();
    }

    private void TakeEgress(ReadOnlySpan<int> descriptors)
    {
        if (descriptors.IsEmpty)
        {
            return;
        }

        if (egress is null)
        {
            foreach (var descriptor in descriptors)
            {
                _ = Close(descriptor);
            }

            return;
        }

        egress(descriptors.ToArray());
    }

    /// <summary>Answers one suspended syscall; after the sandbox is gone (POLLHUP), the listener is done.</summary>
    public void OnListenerReady(short revents)
    {
        if (_listener < 0)
        {
            return;
        }

        if ((revents & POLLIN) == 0)
        {
            CloseListener();
            return;
        }

        SeccompNotif request = default;
        if (Ioctl(_listener, SECCOMP_IOCTL_NOTIF_RECV, &request) < 0)
        {
            if (Marshal.GetLastPInvokeError() is not (ENOENT or EINTR))
            {
                CloseListener();
            }

            return; // ENOENT: the caller died before it could be read.
        }

        LastCallerPid = (int)request.Pid;
        var verdict = SyscallVerdict.Judge(policy, SyscallName(request.Arch, request.Nr), new ReadOnlySpan<ulong>(request.Args, 6), DateTimeOffset.UtcNow);
        // Reported while the caller is still suspended, so that the report can tell whose call it was from /proc
        // (a live sandbox finds the exec by the caller's process group); after the kill or the answer it may be gone.
        report(verdict);
        if (verdict.Action == SyscallAction.Kill)
        {
            KilledSandbox = true;
            killSandbox();
        }
        else
        {
            var response = new SeccompNotifResp { Id = request.Id, Error = -EPERM };
            _ = Ioctl(_listener, SECCOMP_IOCTL_NOTIF_SEND, &response);
        }
    }

    private static string SyscallName(uint arch, int number)
    {
        var name = SeccompSyscallResolveNumArch(arch, number);
        if (name == 0)
        {
            return $"syscall {number}";
        }

        try
        {
            return Marshal.PtrToStringUTF8(name) ?? $"syscall {number}";
        }
        finally
        {
            Free(name);
        }
    }

    private void CloseListener()
    {
        if (_listener >= 0)
        {
            _ = Close(_listener);
            _listener = -1;
        }
    }

    public void Dispose()
    {
        CloseListener();
        socket?.Dispose();
    }
}
