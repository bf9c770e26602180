using System.Diagnostics;

namespace Aisbx.Tests.Shared;

/// <summary>Host programs a test runs outside any sandbox (git, id, ls), and the tagged sleepers it looks for (compiled into each test project).</summary>
internal static class HostCommands
{
    public static (int ExitCode, string Stdout, string Stderr) Run(string program, params string[] args)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout, stderr.Result);
    }

    /// <summary>How many <c>sleep</c> processes on the host carry <paramref name="tag"/> in their command line.</summary>
    public static int Sleepers(string tag) =>
        Directory.EnumerateDirectories("/proc").Count(dir =>
        {
            try
            {
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                return cmdline.StartsWith("sleep ", StringComparison.Ordinal) && cmdline.Contains(tag, StringComparison.Ordinal);
            }
            catch (IOException)
            {
                return false;
            }
            catch (UnauthorizedAccessException)
            {
                return false;
            }
        });
}
