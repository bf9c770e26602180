namespace Aisbx.Core.Policy;

/// <summary>A request refused before launch. <see cref="Rule"/> names the rule; the message says what to change.</summary>
public sealed class PolicyRefusal(string rule, string message) : AisbxException(message)
{
    public string Rule { get; } = rule;
}
