using System.Runtime.InteropServices;

namespace Aisbx.Sandbox.Interop;

internal static partial class Interop
{
    [LibraryImport(Libraries.Libc, EntryPoint = "geteuid")]
    internal static partial uint GetEffectiveUserId();

    [LibraryImport(Libraries.Libc, EntryPoint = "getuid")]
    internal static partial uint GetRealUserId();

    [LibraryImport(Libraries.Libc, EntryPoint = "getgid")]
    internal static partial uint GetRealGroupId();

    [LibraryImport(Libraries.Libc, EntryPoint = "getegid")]
    internal static partial uint GetEffectiveGroupId();

    [LibraryImport(Libraries.Libc, EntryPoint = "chown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int Chown(string path, int uid, int gid);
}
