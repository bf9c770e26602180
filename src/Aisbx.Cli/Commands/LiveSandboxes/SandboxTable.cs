using System.Globalization;
using System.Text;
using Aisbx.Core.Sandboxes;

namespace Aisbx.Cli.Commands.LiveSandboxes;

/// <summary>The table of <c>aisbx sandbox list</c>: one line per sandbox, columns padded to their widest cell.</summary>
internal static class SandboxTable
{
    private static readonly string[] Header = ["ID", "PROFILE", "STATE", "PROCESSES", "MEMORY", "IDLE", "EXPIRES"];

    public static string Render(IEnumerable<SandboxStatus> sandboxes, DateTimeOffset now)
    {
        var rows = new List<string[]> { Header };
        rows.AddRange(sandboxes.Select(s => new[]
        {
            Printable.Line(s.SandboxId, 100),
            Printable.Line(s.Profile, 100),
            Printable.Line(s.State, 40),
            s.Processes.Count(p => p.Running).ToString(CultureInfo.InvariantCulture),
            s.MemoryBytes is { } bytes ? Size(bytes) : "-",
            Span(TimeSpan.FromMilliseconds(s.IdleForMs)),
            s.ExpiresAt > now ? "in " + Span(s.ExpiresAt - now) : "now",
        }));

        var widths = Enumerable.Range(0, Header.Length).Select(column => rows.Max(row => row[column].Length)).ToArray();
        var text = new StringBuilder();
        foreach (var row in rows)
        {
            text.AppendJoin("  ", row.Select((cell, column) => column == row.Length - 1 ? cell : cell.PadRight(widths[column]))).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>A duration to the coarsest two units: <c>42s</c>, <c>9m12s</c>, <c>1h05m</c>.</summary>
    public static string Span(TimeSpan span) =>
        span.TotalSeconds < 60 ? $"{Math.Floor(span.TotalSeconds):0}s"
        : span.TotalMinutes < 60 ? $"{(int)span.TotalMinutes}m{span.Seconds:00}s"
        : $"{(int)span.TotalHours}h{span.Minutes:00}m";

    /// <summary>Bytes in powers of 1024, one decimal below ten: <c>812K</c>, <c>3.4M</c>, <c>1.0G</c>.</summary>
    public static string Size(long bytes)
    {
        string[] units = ["B", "K", "M", "G", "T"];
        double value = bytes;
        var unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return unit == 0 ? $"{bytes}B" : value < 10 ? $"{value.ToString("0.0", CultureInfo.InvariantCulture)}{units[unit]}" : $"{value:0}{units[unit]}";
    }
}
