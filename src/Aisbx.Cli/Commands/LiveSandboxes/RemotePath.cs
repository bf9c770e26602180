namespace Aisbx.Cli.Commands.LiveSandboxes;

/// <summary>
/// A path in a sandbox, as <c>ID:PATH</c> gives it: relative to /workspace, or absolute under /workspace or /tmp
/// (the server decides what it may reach). Each part is escaped on its own, so a name stays one name in the URL; a
/// <c>..</c> part is refused here, because the URL layer would fold it away before the server saw it.
/// </summary>
internal sealed record RemotePath(string Text, bool Absolute, IReadOnlyList<string> Parts)
{
    /// <summary>The path names a directory to copy into: empty (the workspace), or ending in '/' or '.'.</summary>
    public bool NamesDirectory { get; init; }

    /// <summary>For the <c>{*path}</c> of <c>/v1/sandboxes/{id}/files/</c>: an absolute path keeps its leading '/'.</summary>
    public string UrlPath => (Absolute ? "/" : "") + string.Join('/', Parts.Select(Uri.EscapeDataString));

    public string FileName => Parts.Count > 0 ? Parts[^1] : "";

    public static RemotePath Parse(string text)
    {
        var parts = text.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Contains(".."))
        {
            throw new SandboxRefusal("path",
                $"the sandbox path '{Printable.Line(text, 200)}' has a '..' part (rule path): write it from /workspace down, e.g. src/main.py, or as /workspace/... or /tmp/...");
        }

        var kept = parts.Where(p => p != ".").ToArray();
        return new RemotePath(text, text.StartsWith('/'), kept)
        {
            NamesDirectory = kept.Length == 0 || text.EndsWith('/') || parts[^1] == ".",
        };
    }

    /// <summary>This directory with a file name added.</summary>
    public RemotePath Child(string name) => new(Text.TrimEnd('/') + "/" + name, Absolute, [.. Parts, name]);
}
