using System.Collections.Immutable;

namespace Aisbx.Core.Security;

/// <summary>One caller's recent high-severity events (strikes), and until when its runs are refused.</summary>
public sealed record LockoutState(ImmutableArray<DateTimeOffset> Strikes, DateTimeOffset? LockedUntil)
{
    public static LockoutState Clear { get; } = new([], null);
}

/// <summary>Where lockout state lives: in memory for a long-running server, in the config directory for the CLI.</summary>
public interface ILockoutStore
{
    LockoutState Load(string caller);

    void Save(string caller, LockoutState state);

    /// <summary>Callers with any state, for listing.</summary>
    IReadOnlyList<string> Callers();
}
