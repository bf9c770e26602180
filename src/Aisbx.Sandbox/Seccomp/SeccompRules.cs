using System.Collections.Immutable;
using Aisbx.Core.Profiles;

namespace Aisbx.Sandbox.Seccomp;

/// <summary>
/// A profile's syscall policy as filter rules, on top of the rules every sandbox gets: clone3 answers ENOSYS (so
/// that libc falls back to clone, whose flags the filter can see), clone with any CLONE_NEW* flag and the
/// TIOCSTI/TIOCLINUX ioctls (terminal injection) answer EPERM.
/// </summary>
public static class SeccompRules
{
    private const ulong CloneNewFlags =
        0x00020000 /* NEWNS */ | 0x02000000 /* NEWCGROUP */ | 0x04000000 /* NEWUTS */ | 0x08000000 /* NEWIPC */ |
        0x10000000 /* NEWUSER */ | 0x20000000 /* NEWPID */ | 0x40000000 /* NEWNET */ | 0x00000080 /* NEWTIME */;

    private const ulong TIOCSTI = 0x5412;
    private const ulong TIOCLINUX = 0x541C;

    public static ImmutableArray<SeccompRule> Always { get; } =
    [
        new SeccompRule("clone3", SeccompRule.ENOSYS),
        .. SingleBits(CloneNewFlags).Select(bit => new SeccompRule("clone", SeccompRule.EPERM, Argument: 0, Mask: bit, Value: bit)),
        new SeccompRule("ioctl", SeccompRule.EPERM, Argument: 1, Mask: 0xffffffff, Value: TIOCSTI),
        new SeccompRule("ioctl", SeccompRule.EPERM, Argument: 1, Mask: 0xffffffff, Value: TIOCLINUX),
    ];

    public static ImmutableArray<SeccompRule> For(SyscallPolicy policy) =>
    [
        .. Always,
        .. policy.Deny.Where(name => !policy.Kill.Contains(name)).Select(name => new SeccompRule(name, SeccompRule.EPERM)),
        .. policy.Kill.Select(name => new SeccompRule(name, Errno: null)),
    ];

    private static IEnumerable<ulong> SingleBits(ulong flags)
    {
        for (var bit = 1UL; bit != 0; bit <<= 1)
        {
            if ((flags & bit) != 0)
            {
                yield return bit;
            }
        }
    }
}
