using System.ComponentModel;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using static Aisbx.Sandbox.Interop.Interop;

namespace Aisbx.Sandbox.Launch;

/// <summary>A pipe whose ends are close-on-exec in aisbx: only a deliberate dup2 hands one to a child.</summary>
internal sealed class PipePair : IDisposable
{
    private PipePair(SafeFileHandle read, SafeFileHandle write)
    {
        Read = read;
        Write = write;
    }

    public SafeFileHandle Read { get; }

    public SafeFileHandle Write { get; }

    public static unsafe PipePair Create()
    {
        var fds = stackalloc int[2];
        if (Pipe2(fds, O_CLOEXEC) != 0)
        {
            throw new Win32Exception(Marshal.GetLastPInvokeError(), "pipe2 failed");
        }

        return new PipePair(new SafeFileHandle(fds[0], ownsHandle: true), new SafeFileHandle(fds[1], ownsHandle: true));
    }

    public void Dispose()
    {
        Read.Dispose();
        Write.Dispose();
    }
}
