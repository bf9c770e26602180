namespace Aisbx.Core.Egress;

/// <summary>A host entry that cannot be read, or that allows too much; <see cref="Rule"/> names which.</summary>
public sealed class HostPatternException(string rule, string message) : FormatException(message)
{
    /// <summary>The rule the entry breaks, <c>host-pattern-invalid</c> or <c>allow-too-broad</c>.</summary>
    public string Rule { get; } = rule;
}
