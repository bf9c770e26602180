namespace Aisbx.Mcp.Tests;

/// <summary>Processes on the host whose command line starts with a given text: how the specs see that a sandbox is gone.</summary>
public static class Processes
{
    public static int Matching(string commandLine) =>
        Directory.EnumerateDirectories("/proc").Count(dir =>
        {
            try
            {
                return File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ').StartsWith(commandLine, StringComparison.Ordinal);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return false;
            }
        });

    /// <summary>Polls until <paramref name="count"/> processes match, at most <paramref name="within"/>; returns how many do then.</summary>
    public static async Task<int> MatchingWithinAsync(string commandLine, int count, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (Matching(commandLine) != count && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        return Matching(commandLine);
    }

    public static async Task<int> MatchingAfterAsync(string commandLine, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (Matching(commandLine) > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        return Matching(commandLine);
    }
}
