using System.Runtime.InteropServices;

namespace Aisbx.Sandbox.Interop;

internal static partial class Interop
{
    [LibraryImport(Libraries.Libc, EntryPoint = "realpath", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint RealPathCall(string path, nint resolved);

    [LibraryImport(Libraries.Libc, EntryPoint = "free")]
    internal static partial void Free(nint pointer);

    /// <summary>The canonical path with every symlink resolved, or null when the path does not exist.</summary>
    internal static string? RealPath(string path)
    {
        var result = RealPathCall(path, 0);
        if (result == 0)
        {
            return null;
        }

        try
        {
            return Marshal.PtrToStringUTF8(result);
        }
        finally
        {
            Free(result);
        }
    }
}
