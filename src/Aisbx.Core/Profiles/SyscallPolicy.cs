using System.Collections.Immutable;

namespace Aisbx.Core.Profiles;

/// <summary>
/// A profile's syscall rules by severity: <see cref="Deny"/> answers EPERM and the program goes on; <see cref="Kill"/>
/// ends the whole sandbox. A syscall in both is killed.
/// </summary>
public sealed record SyscallPolicy(ImmutableArray<string> Deny, ImmutableArray<string> Kill)
{
    public static SyscallPolicy Empty { get; } = new([], []);

    /// <summary>A file's <c>[seccomp]</c> over its base: <c>deny</c> and <c>kill</c> add, <c>allow</c> removes from both.</summary>
    public SyscallPolicy Apply(IEnumerable<string> deny, IEnumerable<string> kill, IEnumerable<string> allow)
    {
        var allowed = allow.ToHashSet(StringComparer.Ordinal);
        return new SyscallPolicy(
            [.. Deny.Concat(deny).Where(s => !allowed.Contains(s)).Distinct(StringComparer.Ordinal)],
            [.. Kill.Concat(kill).Where(s => !allowed.Contains(s)).Distinct(StringComparer.Ordinal)]);
    }
}
