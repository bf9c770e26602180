using System.Runtime.InteropServices;

namespace Aisbx.Sandbox.Interop;

/// <summary>splice(2) between a socket and a pipe: the egress relay moves bytes without copying them through user space.</summary>
internal static partial class Interop
{
    internal const uint SPLICE_F_MOVE = 1;
    internal const uint SPLICE_F_NONBLOCK = 2;
    internal const int F_SETPIPE_SZ = 1031;

    /// <summary>From a socket into a pipe's write end.</summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "splice", SetLastError = true)]
    internal static partial nint Splice(SafeHandle fdIn, nint offIn, int fdOut, nint offOut, nuint length, uint flags);

    /// <summary>From a pipe's read end into a socket.</summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "splice", SetLastError = true)]
    internal static partial nint Splice(int fdIn, nint offIn, SafeHandle fdOut, nint offOut, nuint length, uint flags);

    [LibraryImport(Libraries.Libc, EntryPoint = "fcntl", SetLastError = true)]
    internal static partial int FcntlPipeSize(int fd, int command, int size);
}
