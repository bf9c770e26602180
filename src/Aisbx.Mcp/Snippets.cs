namespace Aisbx.Mcp;

/// <summary>How a snippet of each language is run: its interpreter, and the profile that has that interpreter.</summary>
public sealed record Snippet(string Language, string Profile, string Interpreter, string CodeFlag)
{
    public string[] Command(string code) => [Interpreter, CodeFlag, code];
}

public static class Snippets
{
    private static readonly Snippet[] All =
    [
        new("python", "python-dev", "python3", "-c"),
        new("node", "node-dev", "node", "-e"),
        new("javascript", "node-dev", "node", "-e"),
        new("bash", "default", "bash", "-c"),
        new("sh", "default", "sh", "-c"),
        new("perl", "default", "perl", "-e"),
        new("ruby", "default", "ruby", "-e"),
    ];

    public static IEnumerable<string> Languages => All.Select(s => s.Language);

    /// <exception cref="ToolArgumentException">No such language.</exception>
    public static Snippet For(string language) =>
        All.FirstOrDefault(s => string.Equals(s.Language, language, StringComparison.OrdinalIgnoreCase))
        ?? throw new ToolArgumentException($"language '{language}' is not one aisbx runs: use one of {string.Join(", ", Languages)}, or send a 'command'");
}
