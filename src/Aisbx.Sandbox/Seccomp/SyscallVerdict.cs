using Aisbx.Core.Profiles;
using Aisbx.Core.Security;

namespace Aisbx.Sandbox.Seccomp;

/// <summary>Decides what a suspended syscall gets, from the profile's policy and, for the fixed rules, its arguments.</summary>
public static class SyscallVerdict
{
    private static readonly (ulong Flag, string Name)[] CloneFlagNames =
    [
        (0x00020000, "CLONE_NEWNS"), (0x02000000, "CLONE_NEWCGROUP"), (0x04000000, "CLONE_NEWUTS"), (0x08000000, "CLONE_NEWIPC"),
        (0x10000000, "CLONE_NEWUSER"), (0x20000000, "CLONE_NEWPID"), (0x40000000, "CLONE_NEWNET"), (0x00000080, "CLONE_NEWTIME"),
    ];

    public static SyscallViolation Judge(SyscallPolicy policy, string syscall, ReadOnlySpan<ulong> arguments, DateTimeOffset time)
    {
        var action = policy.ActionFor(syscall);

        // The filter only asks about an allowed syscall when a fixed rule matched its arguments: refuse it.
        if (action == SyscallAction.Allow)
        {
            action = SyscallAction.Deny;
        }

        return new SyscallViolation(syscall, Describe(syscall, arguments), action, SyscallSeverity.Of(syscall), time);
    }

    private static string Describe(string syscall, ReadOnlySpan<ulong> arguments)
    {
        if (syscall == "clone" && arguments.Length > 0 && (arguments[0] & SeccompRules.CloneNewFlags) != 0)
        {
            var flags = arguments[0];
            return $"clone ({string.Join('|', CloneFlagNames.Where(f => (flags & f.Flag) != 0).Select(f => f.Name))})";
        }

        if (syscall == "ioctl" && arguments.Length > 1)
        {
            return (arguments[1] & 0xffffffff) switch
            {
                SeccompRules.TIOCSTI => "ioctl (TIOCSTI)",
                SeccompRules.TIOCLINUX => "ioctl (TIOCLINUX)",
                _ => syscall,
            };
        }

        return syscall;
    }
}
