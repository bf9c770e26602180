using System.Diagnostics;
using System.Globalization;
using Aisbx.Tests.Shared;

namespace Aisbx.Mcp.Tests;

/// <summary>
/// A server stopped or killed while a sandbox of its pool is starting, before it is in its cgroup. bubblewrap's init
/// has no parent-death signal yet then, and when bubblewrap dies first (killed by the server, or by SIGPIPE on the
/// status pipe of a server that is gone) it waits for good on bubblewrap's eventfd, in no cgroup: such inits were
/// left behind. A stopped server ends them itself; a killed one's are ended by the next start's sweep.
/// </summary>
public class KilledWhileStartingSpecs
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_server_stopped_or_killed_as_its_pool_spawns_leaves_no_process_of_its_sandboxes_behind()
    {
        // Arrange: a config whose pool of default fills as the server starts.
        var config = McpServerProcess.PrivateConfig("[pool]\nsize = 2\n");
        var temp = FreshWorkspaces.PrivateTemp();
        var stamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        Directory.CreateDirectory(Path.Combine(config, "state"));
        File.WriteAllText(Path.Combine(config, "state", "pool-profiles"), $"default\t{stamp}\n");
        var environment = new Dictionary<string, string> { ["TMPDIR"] = temp };
        string[] server = ["--default-signal=TERM", McpServerProcess.Binary, "--transport", "http", "--port", "0", "--config", config];
        var workspaces = FreshWorkspaces.BaseIn(temp);
        try
        {
            // Act 1: SIGTERM the moment its first bubblewrap exists, long before the cgroup's migration is done; a
            // few times, as what is in flight then varies.
            for (var attempt = 0; attempt < 3; attempt++)
            {
                using var stopped = McpServerProcess.Start("/usr/bin/env", server, environment);
                var first = await FirstBubblewrapChildAsync(stopped);
                await HostCommands.StopAsync(stopped);

                // Assert 1: it ended its sandboxes, the one starting included (it removed their workspaces: any
                // process holding something of the workspace base is one of them).
                Assert.Empty(await StillRunningAsync([first], [workspaces + "/"], TimeSpan.FromSeconds(10)));
            }

            // Act 2: SIGKILL three times at that moment, then start the next server on the same config.
            List<string> spawned = [];
            for (var attempt = 0; attempt < 3; attempt++)
            {
                using var killed = McpServerProcess.Start("/usr/bin/env", server, environment);
                spawned.Add(await FirstBubblewrapChildAsync(killed));
                killed.Kill();
                await killed.WaitForExitAsync(Cancel);
            }

            var leftOver = AllIn(workspaces);
            using var next = McpServerProcess.Start("/usr/bin/env", server, environment);
            await CrashSweepSpecs.ServingUrlAsync(next);

            // Assert 2: its sweep ended what the killed servers left.
            var left = await StillRunningAsync(spawned, leftOver, TimeSpan.FromSeconds(10));
            await HostCommands.StopAsync(next);
            Assert.True(left.Count == 0, "left running: " + string.Join("; ", left));
        }
        finally
        {
            Directory.Delete(config, recursive: true);
            Directory.Delete(temp, recursive: true);
        }
    }

    private static List<string> AllIn(string workspaces) =>
        Directory.Exists(workspaces) ? [.. Directory.GetDirectories(workspaces, "sbx-*")] : [];

    /// <summary>The stamp (<c>PID STARTTIME</c>) of the server's first child that is bubblewrap, polled every millisecond.</summary>
    private static async Task<string> FirstBubblewrapChildAsync(Process server)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            foreach (var child in Children(server.Id))
            {
                if (Comm(child) == "bwrap" && Stamp(child) is { } stamp)
                {
                    return stamp;
                }
            }

            await Task.Delay(1, Cancel);
        }

        throw new TimeoutException("the server started no sandbox in 30 s");
    }

    /// <summary>Of the given bubblewraps, those still alive, and every process that holds one of the given workspaces (or anything under a path that ends in '/').</summary>
    private static async Task<List<string>> StillRunningAsync(List<string> bubblewraps, List<string> workspaces, TimeSpan within)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            List<string> left =
            [
                .. bubblewraps.Where(stamp => Stamp(int.Parse(stamp.Split(' ')[0], CultureInfo.InvariantCulture)) == stamp).Select(stamp => "bubblewrap " + stamp),
                .. Pids().Where(pid => pid != Environment.ProcessId && workspaces.Any(workspace => Holds(pid, workspace))).Select(pid => $"{Comm(pid)} {pid} (holds a workspace)"),
            ];
            if (left.Count == 0 || clock.Elapsed > within)
            {
                return left;
            }

            await Task.Delay(100, Cancel);
        }
    }

    private static IEnumerable<int> Pids() =>
        Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).Select(name => int.TryParse(name, out var pid) ? pid : 0).Where(pid => pid > 0);

    private static IEnumerable<int> Children(int pid) =>
        (Read($"/proc/{pid}/task", Directory.GetDirectories) ?? [])
            .SelectMany(task => (Read(Path.Combine(task, "children"), File.ReadAllText) ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(int.Parse);

    /// <summary>Whether the process has the workspace mounted (named by its sandbox id: a mount shows its path within its file system), or open (as bubblewrap does until its set-up binds it).</summary>
    private static bool Holds(int pid, string workspace) =>
        Read($"/proc/{pid}/mountinfo", File.ReadAllText)?.Contains(MountedName(workspace), StringComparison.Ordinal) == true
        || (Read($"/proc/{pid}/fd", Directory.GetFileSystemEntries) ?? []).Any(fd => Read(fd, path => new FileInfo(path).LinkTarget ?? "")?.StartsWith(workspace, StringComparison.Ordinal) == true);

    /// <summary>A workspace by its sandbox id; the base by its private temp's name and its own.</summary>
    private static string MountedName(string workspace) =>
        workspace.EndsWith('/') ? "/" + Path.GetFileName(Path.GetDirectoryName(workspace.TrimEnd('/'))) + "/" + Path.GetFileName(workspace.TrimEnd('/')) + "/" : "/" + Path.GetFileName(workspace);

    private static string? Comm(int pid) => Read($"/proc/{pid}/comm", File.ReadAllText)?.Trim();

    private static string? Stamp(int pid) =>
        Read($"/proc/{pid}/stat", File.ReadAllText) is { } stat ? $"{pid} {stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[19]}" : null;

    private static T? Read<T>(string path, Func<string, T> read) where T : class
    {
        try
        {
            return read(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
