namespace Aisbx.Sandbox.Seccomp;

/// <summary>What the filter itself does with a matching syscall.</summary>
public enum FilterAction
{
    /// <summary>Suspend the call and ask aisbx, which records it and answers EPERM or ends the sandbox.</summary>
    Notify,

    /// <summary>Fail the call with <see cref="SeccompRule.Errno"/>, silently: for calls that are not attacks (clone3).</summary>
    Errno,

    /// <summary>Let the call run (an allowlist's entries).</summary>
    Allow,
}

/// <summary>One rule of the filter.</summary>
/// <param name="Syscall">The syscall's name, as libseccomp knows it.</param>
/// <param name="Argument">Optional: only when argument <see cref="Argument"/> masked with <see cref="Mask"/> equals <see cref="Value"/>.</param>
public sealed record SeccompRule(string Syscall, FilterAction Action, int Errno = 0, uint? Argument = null, ulong Mask = 0, ulong Value = 0)
{
    public const int EPERM = 1;
    public const int ENOSYS = 38;
}
