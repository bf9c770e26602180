using System.Text;

namespace Aisbx.Launcher.Extract;

/// <summary>
/// The extract mode's answer to aisbx, one line each on stdout: <c>neutralised: NAME: WHAT</c>, then <c>size: BYTES</c>
/// when done, or <c>refused: REASON</c>. Names are escaped (<see cref="EntryNames.Printable"/>), so an entry's name
/// can never start a line of its own.
/// </summary>
internal static class ExtractOutput
{
    public static void Neutralised(string path, string what) => Line($"neutralised: {EntryNames.Printable(path)}: {what}");

    public static void Size(long bytes) => Line($"size: {bytes}");

    public static void Refused(string reason) => Line($"refused: {reason.ReplaceLineEndings(" ")}");

    private static void Line(string text) => _ = ExtractNative.WriteAll(1, Encoding.UTF8.GetBytes(text + "\n"));
}
