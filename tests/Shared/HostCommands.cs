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

    /// <summary>
    /// Stops a server the way an operator does: SIGTERM, so that it ends its sandboxes (and its pool's) and records
    /// it; SIGKILL only if it has not exited in 20 s.
    /// </summary>
    public static async Task StopAsync(Process server)
    {
        Run("kill", "-TERM", server.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            await server.WaitForExitAsync(grace.Token);
        }
        catch (OperationCanceledException)
        {
            server.Kill();
            await server.WaitForExitAsync();
        }
    }

    /// <summary>How many <c>sleep</c> processes on the host carry <paramref name="tag"/> in their command line.</summary>
    public static int Sleepers(string tag) =>
        CountProcesses(cmdline => cmdline.StartsWith("sleep ", StringComparison.Ordinal) && cmdline.Contains(tag, StringComparison.Ordinal));

    /// <summary>Processes on the host whose command line names <paramref name="text"/> (mmdebstrap names the tree it builds).</summary>
    public static int ProcessesNaming(string text) => CountProcesses(cmdline => cmdline.Contains(text, StringComparison.Ordinal));

    private static int CountProcesses(Func<string, bool> matches) =>
        Directory.EnumerateDirectories("/proc").Count(dir =>
        {
            try
            {
                return matches(File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' '));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return false;
            }
        });
}
