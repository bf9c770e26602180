using System.Runtime.InteropServices;

namespace Aisbx.Sandbox.Interop;

internal static partial class Interop
{
    /// <summary>struct linux_dirent64: d_ino (8), d_off (8), d_reclen (2), d_type (1), then the NUL-terminated name.</summary>
    internal const int DirentReclenOffset = 16;
    internal const int DirentNameOffset = 19;

    /// <summary>glibc 2.30+ wraps the getdents64 syscall (the same struct on every architecture).</summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "getdents64", SetLastError = true)]
    internal static unsafe partial nint Getdents64(int fd, byte* buffer, nuint count);
}
