using System.Runtime.InteropServices;

namespace Aisbx.Sandbox.Interop;

internal static partial class Interop
{
    // <sys/resource.h>
    internal const int RLIMIT_STACK = 3;
    internal const ulong RLIM_INFINITY = ulong.MaxValue;

    [StructLayout(LayoutKind.Sequential)]
    internal struct Rlimit
    {
        public ulong Current;
        public ulong Maximum;
    }

    [LibraryImport(Libraries.Libc, EntryPoint = "getrlimit", SetLastError = true)]
    internal static partial int GetRlimit(int resource, out Rlimit limit);
}
