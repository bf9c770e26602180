using System.Diagnostics;

namespace Aisbx.Tests.Shared;

/// <summary>The fresh workspaces of this host's sandboxes, as a test outside them finds them (compiled into each test project).</summary>
internal static class FreshWorkspaces
{
    public static string Base { get; } = Path.Combine(Path.GetTempPath(), "aisbx-" + Environment.UserName);

    /// <summary>Waits until a running sandbox's workspace holds <paramref name="marker"/>, and returns its host path.</summary>
    public static async Task<string> WaitForOneHoldingAsync(string marker)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            var found = Directory.Exists(Base)
                ? Directory.EnumerateDirectories(Base, "sbx-*").FirstOrDefault(d => File.Exists(Path.Combine(d, marker)))
                : null;
            if (found is not null)
            {
                return found;
            }

            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        throw new TimeoutException($"no workspace came to hold {marker}");
    }

    /// <summary>
    /// Waits until no process is left in a sandbox's cgroups: a killed aisbx's sandbox dies with it, but the kernel
    /// tears a pid namespace down asynchronously, and a sweep leaves a group that still has processes.
    /// </summary>
    public static async Task WaitUntilEmptyAsync(IEnumerable<string> cgroups)
    {
        var clock = Stopwatch.StartNew();
        while (cgroups.Any(group => File.Exists(Path.Combine(group, "cgroup.procs")) && File.ReadAllText(Path.Combine(group, "cgroup.procs")).Trim().Length > 0)
               && clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>The cgroup v1 directories of a sandbox that exist now.</summary>
    public static List<string> CgroupsOf(string sandboxId) =>
        [.. new[] { "memory", "pids", "cpuacct" }.Select(h => Path.Combine("/sys/fs/cgroup", h, "aisbx", sandboxId)).Where(Directory.Exists)];
}
