using System.Runtime.InteropServices;

namespace Aisbx.Sandbox.Interop;

internal static partial class Interop
{
    /// <summary>
    /// The raw credential syscalls, which change only the calling thread: glibc's setresuid and setgroups wrappers
    /// change every thread of the process (POSIX semantics), which is exactly what must not happen here.
    /// </summary>
    private static (long SetGroups, long GetGroups, long SetResUid, long SetResGid) CredentialSyscalls => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => (116, 115, 117, 119),
        Architecture.Arm64 => (159, 158, 147, 149),
        var other => throw new PlatformNotSupportedException($"aisbx knows the credential syscalls of x64 and arm64, not {other}"),
    };

    internal static int ThreadSetResUid(int real, int effective, int saved) => (int)Syscall(CredentialSyscalls.SetResUid, real, effective, saved, 0);

    internal static int ThreadSetResGid(int real, int effective, int saved) => (int)Syscall(CredentialSyscalls.SetResGid, real, effective, saved, 0);

    internal static unsafe int ThreadGetGroups(Span<uint> groups)
    {
        fixed (uint* list = groups)
        {
            return (int)Syscall(CredentialSyscalls.GetGroups, groups.Length, (long)list, 0, 0);
        }
    }

    internal static unsafe int ThreadSetGroups(ReadOnlySpan<uint> groups)
    {
        fixed (uint* list = groups)
        {
            return (int)Syscall(CredentialSyscalls.SetGroups, groups.Length, (long)list, 0, 0);
        }
    }
}
