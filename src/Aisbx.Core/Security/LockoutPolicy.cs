namespace Aisbx.Core.Security;

/// <summary>
/// The severity policy's third answer: a caller that raises <see cref="Threshold"/> events of at least
/// <see cref="MinimumSeverity"/> within <see cref="Window"/> has its runs refused for <see cref="Duration"/>.
/// A threshold of 0 turns lockouts off.
/// </summary>
public sealed record LockoutPolicy
{
    public static LockoutPolicy Default { get; } = new();

    public int Threshold { get; init; } = 3;

    public TimeSpan Window { get; init; } = TimeSpan.FromMinutes(10);

    public TimeSpan Duration { get; init; } = TimeSpan.FromMinutes(15);

    public Severity MinimumSeverity { get; init; } = Severity.High;
}
