namespace Aisbx.Sandbox.Seccomp;

/// <summary>What the filter does to a syscall: refuse it with an errno, the program going on.</summary>
/// <param name="Syscall">The syscall's name, as libseccomp knows it; names a host architecture lacks are skipped.</param>
/// <param name="Errno">The error the call returns (EPERM unless said otherwise).</param>
/// <param name="Argument">Optional: only when argument <see cref="Argument"/> has every bit of <see cref="Mask"/> equal to <see cref="Value"/>.</param>
public sealed record SeccompRule(string Syscall, int Errno = SeccompRule.EPERM, uint? Argument = null, ulong Mask = 0, ulong Value = 0)
{
    public const int EPERM = 1;
    public const int ENOSYS = 38;
}
