using System.Runtime.InteropServices;

namespace Aisbx.Sandbox.Interop;

internal static partial class Interop
{
    internal const int AT_SYMLINK_NOFOLLOW = 0x100;

    [LibraryImport(Libraries.Libc, EntryPoint = "fchownat", SetLastError = true)]
    internal static unsafe partial int Fchownat(int dirFd, byte* path, int uid, int gid, int flags);
}
