namespace Aisbx.Sandbox.Seccomp;

/// <summary>What the filter does to one syscall: refuse it with an errno (the program goes on), or kill the sandbox.</summary>
/// <param name="Syscall">The syscall's name, as libseccomp knows it.</param>
/// <param name="Errno">The error the call returns; null kills the sandbox instead.</param>
/// <param name="Argument">Optional: only when argument <see cref="Argument"/> masked with <see cref="Mask"/> equals <see cref="Value"/>.</param>
public sealed record SeccompRule(string Syscall, int? Errno, uint? Argument = null, ulong Mask = 0, ulong Value = 0)
{
    public const int EPERM = 1;
    public const int ENOSYS = 38;
}
