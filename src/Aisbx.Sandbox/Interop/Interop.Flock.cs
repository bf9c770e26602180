using System.Runtime.InteropServices;

namespace Aisbx.Sandbox.Interop;

internal static partial class Interop
{
    internal const int LOCK_SH = 1;
    internal const int LOCK_EX = 2;
    internal const int LOCK_NB = 4;
    internal const int EWOULDBLOCK = 11;

    [LibraryImport(Libraries.Libc, EntryPoint = "flock", SetLastError = true)]
    internal static partial int Flock(int fd, int operation);
}
