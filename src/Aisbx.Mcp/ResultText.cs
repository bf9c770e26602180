using System.Globalization;
using System.Text;
using Aisbx.Core.Runs;

namespace Aisbx.Mcp;

/// <summary>The result document as text, for clients that read the content rather than the structured result.</summary>
public static class ResultText
{
    public static string Summarize(RunResult result)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"exit code {result.ExitCode}");
        if (result.TimedOut)
        {
            text.Append(" (timed out)");
        }

        text.Append(CultureInfo.InvariantCulture, $" after {result.DurationMs:0.#} ms in profile {result.Profile}\n");
        foreach (var hit in result.LimitHits)
        {
            text.Append(CultureInfo.InvariantCulture, $"limit reached: {hit.Limit} ({hit.Value})\n");
        }

        foreach (var violation in result.Violations)
        {
            text.Append(CultureInfo.InvariantCulture, $"violation: {violation.Detail} {violation.Action} (severity {violation.Severity}, {violation.Count}x)\n");
        }

        Section(text, "stdout", result.Stdout, result.StdoutTruncated);
        Section(text, "stderr", result.Stderr, result.StderrTruncated);
        return text.ToString();
    }

    private static void Section(StringBuilder text, string name, string content, bool truncated)
    {
        if (content.Length == 0)
        {
            return;
        }

        text.Append(CultureInfo.InvariantCulture, $"--- {name}{(truncated ? " (truncated)" : "")} ---\n").Append(content);
        if (!content.EndsWith('\n'))
        {
            text.Append('\n');
        }
    }
}
