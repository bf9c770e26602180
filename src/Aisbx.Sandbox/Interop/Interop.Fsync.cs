using System.Runtime.InteropServices;

namespace Aisbx.Sandbox.Interop;

internal static partial class Interop
{
    [LibraryImport(Libraries.Libc, EntryPoint = "fsync", SetLastError = true)]
    internal static partial int Fsync(int fd);
}
