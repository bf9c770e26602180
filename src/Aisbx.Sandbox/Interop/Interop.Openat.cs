using System.Runtime.InteropServices;

namespace Aisbx.Sandbox.Interop;

internal static partial class Interop
{
    internal const int O_RDONLY = 0;
    internal const int O_RDWR = 2;
    internal const int O_CREAT = 0x40;
    internal const int O_DIRECTORY = 0x10000;
    internal const int O_NOFOLLOW = 0x20000;

    /// <summary>openat with the name as raw bytes (NUL-terminated): a file name on Linux need not be valid UTF-8.</summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "openat", SetLastError = true)]
    internal static unsafe partial int Openat(int dirFd, byte* path, int flags, int mode);
}
