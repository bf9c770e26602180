namespace Aisbx.Core.Policy;

/// <summary>
/// A request refused before launch. <see cref="Rule"/> names the rule; the message says what to change.
/// <see cref="PublicMessage"/> says the same to a remote caller (MCP, HTTP) without naming any host path the
/// caller did not send itself: where the operator's message names one, the refusal carries both.
/// </summary>
public sealed class PolicyRefusal(string rule, string message, string? publicMessage = null) : AisbxException(message)
{
    public string Rule { get; } = rule;

    public string PublicMessage { get; } = publicMessage ?? message;
}
