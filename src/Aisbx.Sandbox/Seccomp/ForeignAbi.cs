using Aisbx.Core.Profiles;
using Aisbx.Core.Security;

namespace Aisbx.Sandbox.Seccomp;

/// <summary>A syscall made through a foreign ABI (i386 <c>int 0x80</c>, x32): the filter kills it in the kernel, unnamed.</summary>
internal static class ForeignAbi
{
    public const string Detail = "a syscall through a foreign ABI (i386 int 0x80 or x32)";

    public static SyscallViolation Violation() => new("", Detail, SyscallAction.Kill, Severity.Critical, DateTimeOffset.UtcNow);
}
