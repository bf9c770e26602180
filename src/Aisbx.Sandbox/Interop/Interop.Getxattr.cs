using System.Runtime.InteropServices;

namespace Aisbx.Sandbox.Interop;

internal static partial class Interop
{
    internal const int ENODATA = 61;

    [LibraryImport(Libraries.Libc, EntryPoint = "getxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial nint Getxattr(string path, string name, nint value, nuint size);
}
