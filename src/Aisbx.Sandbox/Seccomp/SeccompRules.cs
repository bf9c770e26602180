using System.Collections.Immutable;
using Aisbx.Core.Profiles;

namespace Aisbx.Sandbox.Seccomp;

/// <summary>
/// A profile's syscall policy as filter rules, on top of the rules every sandbox gets: clone3 answers ENOSYS (so
/// that libc falls back to clone, whose flags the filter can see), and clone with any CLONE_NEW* flag and the
/// TIOCSTI/TIOCLINUX ioctls (terminal injection) are refused and recorded. Every rule the profile names notifies
/// aisbx, which records the attempt and answers as the profile says (<see cref="SyscallVerdict"/>).
/// </summary>
public static class SeccompRules
{
    public const ulong CloneNewFlags =
        0x00020000 /* NEWNS */ | 0x02000000 /* NEWCGROUP */ | 0x04000000 /* NEWUTS */ | 0x08000000 /* NEWIPC */ |
        0x10000000 /* NEWUSER */ | 0x20000000 /* NEWPID */ | 0x40000000 /* NEWNET */ | 0x00000080 /* NEWTIME */;

    public const ulong TIOCSTI = 0x5412;
    public const ulong TIOCLINUX = 0x541C;

    public static ImmutableArray<SeccompRule> Always { get; } =
    [
        new SeccompRule("clone3", FilterAction.Errno, SeccompRule.ENOSYS),
        .. SingleBits(CloneNewFlags).Select(bit => new SeccompRule("clone", FilterAction.Notify, Argument: 0, Mask: bit, Value: bit)),
        new SeccompRule("ioctl", FilterAction.Notify, Argument: 1, Mask: 0xffffffff, Value: TIOCSTI),
        new SeccompRule("ioctl", FilterAction.Notify, Argument: 1, Mask: 0xffffffff, Value: TIOCLINUX),
    ];

    /// <summary>Syscalls the fixed rules look into: an allowlist allows them only where those rules do not match.</summary>
    private static readonly HashSet<string> Conditional = ["clone", "clone3", "ioctl"];

    public static ImmutableArray<SeccompRule> For(SyscallPolicy policy) => policy.IsAllowlist ? ForAllowlist(policy) : ForDenylist(policy);

    /// <summary>Everything runs but the fixed rules and the profile's named syscalls, which notify aisbx.</summary>
    private static ImmutableArray<SeccompRule> ForDenylist(SyscallPolicy policy)
    {
        var named = policy.Deny.Concat(policy.Kill).ToHashSet(StringComparer.Ordinal);

        // A profile that refuses clone or ioctl outright needs no rule on their arguments.
        return
        [
            .. Always.Where(rule => !named.Contains(rule.Syscall)),
            .. named.Order(StringComparer.Ordinal).Select(name => new SeccompRule(name, FilterAction.Notify)),
        ];
    }

    /// <summary>
    /// Only the allowed syscalls run; everything else takes the filter's default, which notifies aisbx. The fixed
    /// rules become the shape of the allow rules: clone without CLONE_NEW* flags, ioctl other than TIOCSTI and
    /// TIOCLINUX (libseccomp lets an unconditional rule override conditional ones, so the ioctl exception is
    /// spelled out bit by bit).
    /// </summary>
    private static ImmutableArray<SeccompRule> ForAllowlist(SyscallPolicy policy)
    {
        var rules = ImmutableArray.CreateBuilder<SeccompRule>();
        if (!policy.Deny.Contains("clone3") && !policy.Kill.Contains("clone3"))
        {
            rules.Add(new SeccompRule("clone3", FilterAction.Errno, SeccompRule.ENOSYS));
        }

        rules.AddRange(policy.Allow
            .Where(name => !Conditional.Contains(name) && policy.ActionFor(name) == SyscallAction.Allow)
            .Order(StringComparer.Ordinal)
            .Select(name => new SeccompRule(name, FilterAction.Allow)));
        if (policy.ActionFor("clone") == SyscallAction.Allow && policy.Allow.Contains("clone"))
        {
            rules.Add(new SeccompRule("clone", FilterAction.Allow, Argument: 0, Mask: CloneNewFlags, Value: 0));
        }

        if (policy.ActionFor("ioctl") == SyscallAction.Allow && policy.Allow.Contains("ioctl"))
        {
            rules.AddRange(IoctlExceptTerminalInjection());
        }

        return rules.ToImmutable();
    }

    /// <summary>
    /// ioctl allowed when its request (the low 32 bits of argument 1) is neither TIOCSTI nor TIOCLINUX: when any
    /// bit the two share differs, or else when the request is one of the six other values those bits leave.
    /// </summary>
    private static IEnumerable<SeccompRule> IoctlExceptTerminalInjection()
    {
        const ulong low32 = 0xffffffff;
        var shared = ~(TIOCSTI ^ TIOCLINUX) & low32;
        foreach (var bit in SingleBits(shared))
        {
            yield return new SeccompRule("ioctl", FilterAction.Allow, Argument: 1, Mask: bit, Value: ~TIOCSTI & bit);
        }

        var differing = (TIOCSTI ^ TIOCLINUX) & low32;
        var differingBits = SingleBits(differing).ToArray();
        for (var combination = 0; combination < 1 << differingBits.Length; combination++)
        {
            var value = TIOCSTI & shared;
            for (var i = 0; i < differingBits.Length; i++)
            {
                if ((combination & (1 << i)) != 0)
                {
                    value |= differingBits[i];
                }
            }

            if (value is not (TIOCSTI or TIOCLINUX))
            {
                yield return new SeccompRule("ioctl", FilterAction.Allow, Argument: 1, Mask: low32, Value: value);
            }
        }
    }

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
