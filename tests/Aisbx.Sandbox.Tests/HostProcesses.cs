namespace Aisbx.Sandbox.Tests;

/// <summary>Looks for processes on the host by a tag in their command line (the sandbox's pid namespace does not hide them from the host).</summary>
internal static class HostProcesses
{
    public static IReadOnlyList<int> Matching(string tag)
    {
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            try
            {
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                if (cmdline.StartsWith("sleep ", StringComparison.Ordinal) && cmdline.Contains(tag, StringComparison.Ordinal))
                {
                    found.Add(pid);
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return found;
    }

    /// <summary>Polls until no tagged process is left (teardown of a pid namespace is asynchronous), at most 5 s.</summary>
    public static async Task<IReadOnlyList<int>> WaitUntilGoneAsync(string tag)
    {
        for (var i = 0; i < 50; i++)
        {
            var left = Matching(tag);
            if (left.Count == 0)
            {
                return left;
            }

            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        return Matching(tag);
    }

    public static async Task WaitUntilRunningAsync(string tag)
    {
        for (var i = 0; i < 100 && Matching(tag).Count == 0; i++)
        {
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        Assert.NotEmpty(Matching(tag));
    }
}
