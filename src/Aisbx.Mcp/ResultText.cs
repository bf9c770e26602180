using System.Globalization;
using System.Text;
using Aisbx.Core.Runs;

namespace Aisbx.Mcp;

/// <summary>
/// The result document as text, for clients that read the content rather than the structured result: a summary,
/// then each output stream up to <see cref="ExcerptChars"/> characters (its start and its end when longer). The
/// whole output is in <c>structuredContent</c>, so a large one is not sent twice.
/// </summary>
public static class ResultText
{
    /// <summary>Characters of one stream the text shows at most.</summary>
    public const int ExcerptChars = 8 * 1024;

    /// <summary>Of a longer stream, the first this many characters; the rest of <see cref="ExcerptChars"/> is its end, where errors and summaries usually are.</summary>
    public const int HeadChars = 2 * 1024;

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
            text.Append(CultureInfo.InvariantCulture, $"limit reached: {hit.Describe()}\n");
        }

        foreach (var violation in result.Violations)
        {
            text.Append(CultureInfo.InvariantCulture, $"violation: {violation.Detail} {violation.Action} (severity {violation.Severity}, {violation.Count}x)\n");
        }

        Section(text, "stdout", result.Stdout, result.StdoutTruncated);
        Section(text, "stderr", result.Stderr, result.StderrTruncated);
        return text.ToString();
    }

    /// <summary>One stream (or a file's text) under a heading, excerpted when longer than <see cref="ExcerptChars"/>; nothing when empty.</summary>
    /// <param name="name">Its name, which is also its field in <c>structuredContent</c>.</param>
    internal static void Section(StringBuilder text, string name, string content, bool truncated)
    {
        if (content.Length == 0)
        {
            return;
        }

        var cut = truncated ? ", cut at the profile's output limit" : "";
        if (content.Length <= ExcerptChars)
        {
            text.Append(CultureInfo.InvariantCulture, $"--- {name}{(truncated ? " (cut at the profile's output limit)" : "")} ---\n").Append(content);
        }
        else
        {
            var head = Boundary(content, HeadChars);
            var tail = Boundary(content, content.Length - (ExcerptChars - HeadChars));
            text.Append(CultureInfo.InvariantCulture,
                $"--- {name} ({content.Length} characters{cut}; the first {head} and the last {content.Length - tail} here, all of it in structuredContent.{name}) ---\n");
            text.Append(content, 0, head)
                .Append(CultureInfo.InvariantCulture, $"\n[... {tail - head} characters of {name} left out ...]\n")
                .Append(content, tail, content.Length - tail);
        }

        if (!content.EndsWith('\n'))
        {
            text.Append('\n');
        }
    }

    /// <summary>An index at or just after <paramref name="index"/> that does not split a surrogate pair.</summary>
    private static int Boundary(string content, int index) =>
        index < content.Length && char.IsLowSurrogate(content[index]) ? index + 1 : index;
}
