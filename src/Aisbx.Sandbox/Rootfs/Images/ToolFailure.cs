using System.Text;

namespace Aisbx.Sandbox.Rootfs.Images;

/// <summary>A failed tool's last words as one line for the user: its message only, without aisbx's staging paths.</summary>
internal static class ToolFailure
{
    private const int MaxLength = 300;

    public static string LastLine(IReadOnlyList<string> tail, ImportDirectories directories)
    {
        var line = tail.LastOrDefault(l => !string.IsNullOrWhiteSpace(l))?.Trim() ?? "no output";

        // skopeo logs as logrus: time="..." level=fatal msg="the message"
        var message = line.IndexOf("msg=\"", StringComparison.Ordinal);
        if (message >= 0)
        {
            line = line[(message + 5)..].TrimEnd('"').Replace("\\\"", "\"", StringComparison.Ordinal);
        }

        line = line.TrimStart('•', '⨯', ' ')
            .Replace(directories.Work, "(work)", StringComparison.Ordinal)
            .Replace(directories.Tree, "(tree)", StringComparison.Ordinal);
        var text = new StringBuilder(Math.Min(line.Length, MaxLength));
        foreach (var c in line.Length > MaxLength ? line[..MaxLength] : line)
        {
            text.Append(char.IsControl(c) ? '?' : c);
        }

        return text.ToString();
    }
}
