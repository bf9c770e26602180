using System.Runtime.InteropServices;

namespace Aisbx.Sandbox.Interop;

internal static partial class Interop
{
    /// <summary>A handle that names a file without opening it for reading or writing; same value on every architecture.</summary>
    internal const int O_PATH = 0x200000;

    [LibraryImport(Libraries.Libc, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int Open(string path, int flags, int mode);
}
