using System.Collections.Immutable;

namespace Aisbx.Core.Profiles;

/// <summary>What the sandbox does when its program makes a syscall a rule names.</summary>
public enum SyscallAction
{
    /// <summary>The call runs.</summary>
    Allow,

    /// <summary>The call fails with EPERM, the program goes on, and the attempt is recorded.</summary>
    Deny,

    /// <summary>The whole sandbox ends, and the kill is recorded.</summary>
    Kill,
}

/// <summary>
/// A profile's syscall rules. A syscall in <see cref="Kill"/> ends the sandbox; one in <see cref="Deny"/> answers
/// EPERM. Every other syscall gets <see cref="Default"/>: <see cref="SyscallAction.Allow"/> for a denylist profile;
/// for an allowlist profile (<c>strict</c>), only the syscalls in <see cref="Allow"/> run.
/// </summary>
public sealed record SyscallPolicy(ImmutableArray<string> Deny, ImmutableArray<string> Kill, ImmutableArray<string> Allow, SyscallAction Default = SyscallAction.Allow)
{
    public static SyscallPolicy Empty { get; } = new([], [], []);

    public bool IsAllowlist => Default != SyscallAction.Allow;

    public SyscallAction ActionFor(string syscall) =>
        Kill.Contains(syscall) ? SyscallAction.Kill
        : Deny.Contains(syscall) ? SyscallAction.Deny
        : Default == SyscallAction.Allow || Allow.Contains(syscall) ? SyscallAction.Allow
        : Default;

    /// <summary>
    /// A file's <c>[seccomp]</c> over its base: <c>deny</c> and <c>kill</c> add (a syscall in both is killed);
    /// <c>allow</c> takes a syscall out of both and adds it to the allowlist; <c>default</c> replaces the base's.
    /// </summary>
    public SyscallPolicy Apply(IEnumerable<string> deny, IEnumerable<string> kill, IEnumerable<string> allow, SyscallAction? defaultAction = null)
    {
        var allowed = allow.ToHashSet(StringComparer.Ordinal);
        var denied = deny.ToHashSet(StringComparer.Ordinal);
        var killed = kill.ToHashSet(StringComparer.Ordinal);
        return new SyscallPolicy(
            [.. Deny.Concat(denied).Where(s => !allowed.Contains(s)).Distinct(StringComparer.Ordinal)],
            [.. Kill.Concat(killed).Where(s => !allowed.Contains(s)).Distinct(StringComparer.Ordinal)],
            [.. Allow.Concat(allowed).Where(s => !denied.Contains(s) && !killed.Contains(s)).Distinct(StringComparer.Ordinal)],
            defaultAction ?? Default);
    }
}
