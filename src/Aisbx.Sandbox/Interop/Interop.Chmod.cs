using System.Runtime.InteropServices;

namespace Aisbx.Sandbox.Interop;

internal static partial class Interop
{
    internal const int S_ISUID = 0x800;
    internal const int S_ISGID = 0x400;

    [LibraryImport(Libraries.Libc, EntryPoint = "chmod", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int Chmod(string path, int mode);
}
