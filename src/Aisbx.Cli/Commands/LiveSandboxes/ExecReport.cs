using System.Text;
using Aisbx.Core.Runs;

namespace Aisbx.Cli.Commands.LiveSandboxes;

/// <summary>
/// What <c>aisbx sandbox exec</c> adds on stderr after the program's own output, in the words <c>aisbx run</c> uses
/// live: violations, limits reached, output cut at the profile's cap, and aisbx's own refusal.
/// </summary>
internal static class ExecReport
{
    public static IEnumerable<string> Lines(RunResult result) => Notes(result).Select(line => Printable.Line(line));

    private static IEnumerable<string> Notes(RunResult result)
    {
        foreach (var violation in result.Violations)
        {
            var count = violation.Count > 1 ? $", {violation.Count} times" : "";
            yield return violation.Action == "killed"
                ? $"aisbx: violation: {Printable.Line(violation.Detail, 200)}: sandbox killed (severity {violation.Severity}{count})"
                : $"aisbx: violation: {Printable.Line(violation.Detail, 200)} {violation.Action} (severity {violation.Severity}{count})";
        }

        foreach (var hit in result.LimitHits)
        {
            yield return $"aisbx: limit reached: {hit.Describe()}";
        }

        foreach (var (stream, truncated) in new[] { ("stdout", result.StdoutTruncated), ("stderr", result.StderrTruncated) })
        {
            if (truncated)
            {
                yield return $"aisbx: {stream} was cut at the profile's output limit: write large output to a file and copy it out with 'aisbx sandbox cp {result.SandboxId}:FILE .'";
            }
        }

        if (result.Error is { } error)
        {
            var message = Printable.Line(error.Message);
            yield return "aisbx: " + (message.Contains($"({error.Rule})", StringComparison.Ordinal) ? message : $"{message} (rule {Printable.Line(error.Rule, 100)})");
        }
    }

    /// <summary>Writes the program's output to the CLI's own; false when stdout is closed (the reader went away).</summary>
    public static bool PassThrough(RunResult result, Stream stdout, Stream stderr)
    {
        var open = Write(stdout, result.Stdout);
        Write(stderr, result.Stderr + string.Concat(Lines(result).Select(line => line + "\n")));
        return open;
    }

    private static bool Write(Stream stream, string text)
    {
        if (text.Length == 0)
        {
            return true;
        }

        try
        {
            stream.Write(Encoding.UTF8.GetBytes(text));
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }
}
