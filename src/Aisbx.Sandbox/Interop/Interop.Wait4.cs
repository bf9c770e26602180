using System.Runtime.InteropServices;

namespace Aisbx.Sandbox.Interop;

internal static partial class Interop
{
    [StructLayout(LayoutKind.Sequential)]
    internal struct Timeval
    {
        public long Seconds;
        public long Microseconds;

        public readonly double TotalMilliseconds => (Seconds * 1000.0) + (Microseconds / 1000.0);
    }

    /// <summary>struct rusage: two timevals, then fourteen longs, of which only maxrss (KiB) is read.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct Rusage
    {
        public Timeval UserTime;
        public Timeval SystemTime;
        public long MaxRssKilobytes;
        public fixed long Rest[13];
    }

    [LibraryImport(Libraries.Libc, EntryPoint = "wait4", SetLastError = true)]
    internal static partial int Wait4(int pid, out int status, int options, out Rusage usage);
}
