using System.Collections.Immutable;
using Aisbx.Core.Profiles;
using Aisbx.Core.Runs;
using Aisbx.Core.Security;

namespace Aisbx.Sandbox.Seccomp;

/// <summary>
/// A run's violations, one entry per distinct attempt (the same syscall answered the same way), counted: a program
/// that retries ptrace a million times makes one entry and one live report, not a million.
/// </summary>
internal sealed class ViolationLog(Action<SyscallViolation> onFirst)
{
    private readonly List<(SyscallViolation First, int Count)> _entries = [];

    /// <param name="publish">Whether a first attempt is reported (not when it was reported already, elsewhere).</param>
    public void Record(SyscallViolation violation, bool publish = true)
    {
        for (var i = 0; i < _entries.Count; i++)
        {
            var (first, count) = _entries[i];
            if (first.Detail == violation.Detail && first.Action == violation.Action)
            {
                _entries[i] = (first, count + 1);
                return;
            }
        }

        _entries.Add((violation, 1));
        if (publish)
        {
            onFirst(violation);
        }
    }

    public ImmutableArray<Violation> ToResult() =>
    [
        .. _entries.Select(e => new Violation("seccomp", e.First.Detail, e.First.Severity.Name(), ActionName(e.First.Action))
        {
            Time = e.First.Time,
            Count = e.Count,
        }),
    ];

    public static string ActionName(SyscallAction action) => action == SyscallAction.Kill ? "killed" : "denied";
}
