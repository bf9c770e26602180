using System.ComponentModel;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using static Aisbx.Sandbox.Interop.Interop;

namespace Aisbx.Sandbox.Launch;

/// <summary>A connected unix seqpacket pair, close-on-exec in aisbx: one end is handed to the launcher, one kept.</summary>
internal sealed class SocketPair : IDisposable
{
    private SocketPair(SafeFileHandle ours, SafeFileHandle theirs)
    {
        Ours = ours;
        Theirs = theirs;
    }

    public SafeFileHandle Ours { get; }

    public SafeFileHandle Theirs { get; }

    public static unsafe SocketPair Create()
    {
        var fds = stackalloc int[2];
        if (SocketPair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) != 0)
        {
            throw new Win32Exception(Marshal.GetLastPInvokeError(), "socketpair failed");
        }

        return new SocketPair(new SafeFileHandle(fds[0], ownsHandle: true), new SafeFileHandle(fds[1], ownsHandle: true));
    }

    public void Dispose()
    {
        Ours.Dispose();
        Theirs.Dispose();
    }
}
