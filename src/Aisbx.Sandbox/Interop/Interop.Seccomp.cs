using System.Runtime.InteropServices;

namespace Aisbx.Sandbox.Interop;

/// <summary>libseccomp (Debian's libseccomp2): builds seccomp-bpf programs for the right architecture and ABI.</summary>
internal static partial class Interop
{
    internal const string Seccomp = "libseccomp.so.2";

    internal const uint SCMP_ACT_ALLOW = 0x7fff0000;
    internal const uint SCMP_ACT_KILL_PROCESS = 0x80000000;
    internal const uint SCMP_ACT_NOTIFY = 0x7fc00000;
    internal const int SCMP_FLTATR_ACT_BADARCH = 2;
    internal const int SCMP_CMP_MASKED_EQ = 7;

    internal static uint ScmpActErrno(int errno) => 0x00050000u | ((uint)errno & 0x0000ffffu);

    /// <summary>struct scmp_arg_cmp.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct ScmpArgCmp
    {
        public uint Arg;
        public int Op;
        public ulong DatumA;
        public ulong DatumB;
    }

    [LibraryImport(Seccomp, EntryPoint = "seccomp_init")]
    internal static partial nint SeccompInit(uint defaultAction);

    [LibraryImport(Seccomp, EntryPoint = "seccomp_release")]
    internal static partial void SeccompRelease(nint context);

    [LibraryImport(Seccomp, EntryPoint = "seccomp_attr_set")]
    internal static partial int SeccompAttrSet(nint context, int attribute, uint value);

    [LibraryImport(Seccomp, EntryPoint = "seccomp_syscall_resolve_name", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int SeccompSyscallResolveName(string name);

    [LibraryImport(Seccomp, EntryPoint = "seccomp_rule_add_array")]
    internal static unsafe partial int SeccompRuleAddArray(nint context, uint action, int syscall, uint argumentCount, ScmpArgCmp* arguments);

    [LibraryImport(Seccomp, EntryPoint = "seccomp_export_bpf")]
    internal static partial int SeccompExportBpf(nint context, int fd);
}
