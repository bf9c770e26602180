using System.Runtime.InteropServices;

namespace Aisbx.Sandbox.Interop;

internal static partial class Interop
{
    /// <summary>Swaps two paths in one step: neither is ever missing.</summary>
    internal const uint RENAME_EXCHANGE = 2;

    [LibraryImport(Libraries.Libc, EntryPoint = "renameat2", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int Renameat2(int oldDirFd, string oldPath, int newDirFd, string newPath, uint flags);
}
