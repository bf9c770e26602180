namespace Aisbx.Mcp.Sandboxes;

/// <summary>Text the program chose (a file's name, a command), shown on one line of a tool's text.</summary>
internal static class OneLine
{
    /// <summary>Control characters (a newline, an escape) shown as '?', and at most <paramref name="max"/> characters.</summary>
    public static string Of(string text, int max = 4096)
    {
        var shown = text.Length > max ? text[..max] + "..." : text;
        return string.Create(shown.Length, shown, (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = char.IsControl(source[i]) ? '?' : source[i];
            }
        });
    }
}
