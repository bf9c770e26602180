namespace Aisbx.Service;

/// <summary>An argument (a tool's, or a field of a REST body) is missing, unknown or of the wrong type; the message says which and how to fix it.</summary>
public sealed class ToolArgumentException(string rule, string message) : Core.AisbxException(message)
{
    public ToolArgumentException(string message)
        : this("arguments", message)
    {
    }

    /// <summary>The rule refused by: <c>arguments</c> for a malformed one, or a more particular rule.</summary>
    public string Rule { get; } = rule;
}
