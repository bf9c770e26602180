using System.Runtime.InteropServices;

namespace Aisbx.Launcher;

/// <summary>Installs a classic-BPF seccomp filter on this thread, asking the kernel for a user-notification listener.</summary>
internal static unsafe class SyscallFilter
{
    private const int PR_SET_NO_NEW_PRIVS = 38;
    private const uint SECCOMP_SET_MODE_FILTER = 1;
    private const uint SECCOMP_FILTER_FLAG_NEW_LISTENER = 1 << 3;

    /// <summary>struct sock_fprog.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct SockFprog
    {
        public ushort Length;
        public byte* Filter;
    }

    /// <returns>The listener descriptor, or -1 with <paramref name="error"/> set.</returns>
    public static int InstallWithListener(byte[] filter, out int error)
    {
        error = 0;
        // bubblewrap has set it already; a filter without it would need CAP_SYS_ADMIN, which the sandbox lacks.
        if (Native.Prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        {
            error = Marshal.GetLastPInvokeError();
            return -1;
        }

        fixed (byte* instructions = filter)
        {
            var program = new SockFprog { Length = (ushort)(filter.Length / 8), Filter = instructions };
            var listener = Native.Syscall(SeccompSyscallNumber, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, (nint)(&program));
            if (listener < 0)
            {
                error = Marshal.GetLastPInvokeError();
                return -1;
            }

            return (int)listener;
        }
    }

    private static long SeccompSyscallNumber => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 317,
        Architecture.Arm64 => 277,
        var other => throw new PlatformNotSupportedException($"aisbx-launch does not know the seccomp syscall on {other}"),
    };
}
