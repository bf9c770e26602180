namespace Aisbx.Cli.Commands.LiveSandboxes;

/// <summary>
/// Text from a server (its messages, names it lists) made safe for one line of a terminal: control characters,
/// escape sequences included, become '?', so a message stays one line and cannot drive the terminal.
/// </summary>
internal static class Printable
{
    public static string Line(string text, int max = 2000)
    {
        var shown = text.Length > max ? text[..max] + "…" : text;
        return string.Create(shown.Length, shown, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = char.IsControl(source[i]) || source[i] is '\u2028' or '\u2029' ? '?' : source[i];
            }
        });
    }
}
