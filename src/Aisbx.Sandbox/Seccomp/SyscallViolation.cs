using Aisbx.Core.Profiles;
using Aisbx.Core.Security;

namespace Aisbx.Sandbox.Seccomp;

/// <summary>One syscall the filter stopped, as aisbx answered it.</summary>
/// <param name="Syscall">The syscall's name (<c>syscall N</c> when libseccomp does not know the number).</param>
/// <param name="Detail">The name, with the flag or request that made it forbidden where a rule looked at arguments: <c>clone (CLONE_NEWUSER)</c>.</param>
public sealed record SyscallViolation(string Syscall, string Detail, SyscallAction Action, Severity Severity, DateTimeOffset Time);
