using System.Runtime.InteropServices;

namespace Aisbx.Sandbox.Interop;

/// <summary>
/// The seccomp user-notification ioctls. libseccomp wraps them too, but its receive does not zero the request,
/// which the kernel requires, and its sizes come from a probe; the kernel's structs are fixed UAPI.
/// </summary>
internal static partial class Interop
{
    internal const uint SECCOMP_IOCTL_NOTIF_RECV = 0xc0502100;
    internal const uint SECCOMP_IOCTL_NOTIF_SEND = 0xc0182101;

    /// <summary>struct seccomp_notif: the suspended call.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct SeccompNotif
    {
        public ulong Id;
        public uint Pid;
        public uint Flags;
        public int Nr;
        public uint Arch;
        public ulong InstructionPointer;
        public fixed ulong Args[6];
    }

    /// <summary>struct seccomp_notif_resp: the answer, here always an error.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct SeccompNotifResp
    {
        public ulong Id;
        public long Val;
        public int Error;
        public uint Flags;
    }

    [LibraryImport(Libraries.Libc, EntryPoint = "ioctl", SetLastError = true)]
    internal static unsafe partial int Ioctl(int fd, nuint request, void* argument);

    [LibraryImport(Seccomp, EntryPoint = "seccomp_syscall_resolve_num_arch")]
    internal static partial nint SeccompSyscallResolveNumArch(uint arch, int number);
}
