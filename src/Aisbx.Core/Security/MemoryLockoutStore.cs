using System.Collections.Concurrent;

namespace Aisbx.Core.Security;

/// <summary>Lockout state for one long-running process (the server): gone on restart.</summary>
public sealed class MemoryLockoutStore : ILockoutStore
{
    private readonly ConcurrentDictionary<string, LockoutState> _states = new(StringComparer.Ordinal);

    public LockoutState Load(string caller) => _states.GetValueOrDefault(caller, LockoutState.Clear);

    public void Save(string caller, LockoutState state) => _states[caller] = state;

    public IReadOnlyList<string> Callers() => [.. _states.Keys];
}
