using System.Runtime.InteropServices;

namespace Aisbx.Sandbox.Interop;

internal static partial class Interop
{
    [LibraryImport(Libraries.Libc, EntryPoint = "dup3", SetLastError = true)]
    internal static partial int Dup3(int oldFd, int newFd, int flags);
}
