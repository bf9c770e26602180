using Aisbx.Core.Runs;

namespace Aisbx.Core.Policy;

/// <summary>
/// A request refused before launch. <see cref="Rule"/> names the rule; the message says what to change.
/// <see cref="PublicMessage"/> says the same to a remote caller (MCP, HTTP) without naming any host path the
/// caller did not send itself: where the operator's message names one, the refusal carries both.
/// A refusal about one part of the request (<see cref="Field"/>) is worded per surface: <see cref="Message"/> in
/// the command line's words, <see cref="PublicMessageIn"/> in another's.
/// </summary>
public sealed class PolicyRefusal : AisbxException
{
    private readonly Func<RequestVocabulary, string>? _describe;

    public PolicyRefusal(string rule, string message, string? publicMessage = null)
        : base(message)
    {
        Rule = rule;
        PublicMessage = publicMessage ?? message;
    }

    /// <param name="describe">The refusal's text, given the surface's words for the request's parts.</param>
    public PolicyRefusal(string rule, RequestField field, Func<RequestVocabulary, string> describe)
        : this(rule, describe(RequestVocabulary.CommandLine))
    {
        Field = field;
        _describe = describe;
    }

    public string Rule { get; }

    /// <summary>The part of the request the refusal is about, when it is about one.</summary>
    public RequestField? Field { get; }

    public string PublicMessage { get; }

    /// <summary>The refusal as a remote surface says it: in that surface's words, with no host path.</summary>
    public string PublicMessageIn(RequestVocabulary words) => _describe?.Invoke(words) ?? PublicMessage;
}
