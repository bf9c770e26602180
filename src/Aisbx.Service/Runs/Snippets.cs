using Aisbx.Sandbox.Bubblewrap;

namespace Aisbx.Service.Runs;

/// <summary>
/// How a snippet of each language is run: its interpreter, and the profile that has that interpreter. A snippet
/// goes to the interpreter as an argument (<c>python3 -c CODE</c>) when it fits, else as a file in the fresh
/// workspace (<c>python3 /workspace/.aisbx-snippet.py</c>): Linux passes at most 128 KiB in one argument.
/// </summary>
public sealed record Snippet(string Language, string Profile, string Interpreter, string CodeFlag, string Extension)
{
    /// <summary>Where a snippet too large for an argument is placed, relative to the workspace: at its top, so that the program's imports resolve as with <c>-c</c>.</summary>
    public string FileName => ".aisbx-snippet." + Extension;

    public string[] Command(string code) => [Interpreter, CodeFlag, code];

    public string[] FileCommand() => [Interpreter, LaunchPlan.WorkspacePath + "/" + FileName];
}

public static class Snippets
{
    private static readonly Snippet[] All =
    [
        new("python", "python-dev", "python3", "-c", "py"),
        new("node", "node-dev", "node", "-e", "js"),
        new("javascript", "node-dev", "node", "-e", "js"),
        new("bash", "default", "bash", "-c", "sh"),
        new("sh", "default", "sh", "-c", "sh"),
        new("perl", "default", "perl", "-e", "pl"),
        new("ruby", "default", "ruby", "-e", "rb"),
    ];

    public static IEnumerable<string> Languages => All.Select(s => s.Language);

    /// <exception cref="ToolArgumentException">No such language.</exception>
    public static Snippet For(string language) =>
        All.FirstOrDefault(s => string.Equals(s.Language, language, StringComparison.OrdinalIgnoreCase))
        ?? throw new ToolArgumentException($"language '{language}' is not one aisbx runs: use one of {string.Join(", ", Languages)}, or send a 'command'");
}
