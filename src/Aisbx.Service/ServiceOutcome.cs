using System.Diagnostics.CodeAnalysis;

namespace Aisbx.Service;

/// <summary>How a call to the service ended: its value, or a refusal with its rule and a text safe for the caller.</summary>
public sealed record ServiceOutcome<T>(T? Value, string? Rule, string? Refusal)
    where T : class
{
    [MemberNotNullWhen(true, nameof(Value))]
    [MemberNotNullWhen(false, nameof(Rule), nameof(Refusal))]
    public bool Succeeded => Value is not null;

    /// <summary>Refused by a cap: the caller may come back later.</summary>
    public bool Busy => Rule == ServiceRules.Busy;
}

public static class ServiceOutcome
{
    public static ServiceOutcome<T> Ok<T>(T value)
        where T : class => new(value, null, null);

    public static ServiceOutcome<T> Refused<T>(string rule, string refusal)
        where T : class => new(null, rule, refusal);

    /// <summary>A bug or a host fault (a full disk, say): one line for the caller, without its message, which may name host paths.</summary>
    public static ServiceOutcome<T> Fault<T>(string what, Exception exception)
        where T : class =>
        new(null, ServiceRules.Error, $"the {what} failed inside aisbx ({exception.GetType().Name}): retry; if it persists, the operator finds the event in the audit log");
}
