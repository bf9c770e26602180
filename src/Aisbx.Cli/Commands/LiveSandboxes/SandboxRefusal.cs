using Aisbx.Core;

namespace Aisbx.Cli.Commands.LiveSandboxes;

/// <summary>
/// Why a sandbox command did not do what was asked: the server's own <c>{error, rule}</c>, what stood between the
/// CLI and the server (none set, none answering, a refused key), or the CLI's own check of what it would send.
/// <see cref="Exception.Message"/> is the one line the user sees: it names the rule and the fix, and never holds the key.
/// </summary>
internal sealed class SandboxRefusal(string rule, string message) : AisbxException(message)
{
    public string Rule { get; } = rule;

    /// <summary>The HTTP status, when the server answered.</summary>
    public int? Status { get; init; }

    /// <summary>For a 429: when the server said to come back.</summary>
    public TimeSpan? RetryAfter { get; init; }
}
