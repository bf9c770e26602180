using System.Diagnostics;

namespace Aisbx.Tests.Shared;

/// <summary>The fresh workspaces of this host's sandboxes, as a test outside them finds them (compiled into each test project).</summary>
internal static class FreshWorkspaces
{
    public static string Base { get; } = BaseIn(Path.GetTempPath());

    /// <summary>Where an aisbx started with <c>TMPDIR=<paramref name="temp"/></c> makes its fresh workspaces.</summary>
    public static string BaseIn(string temp) => Path.Combine(temp, "aisbx-" + Environment.UserName);

    /// <summary>
    /// A temp directory for aisbx processes of one test (as their TMPDIR), so that what they leave is theirs to
    /// sweep and not another test's: every aisbx on the host sweeps a dead owner's workspaces in its own base.
    /// Traversable by the sandbox uid, as the system's /tmp is.
    /// </summary>
    public static string PrivateTemp()
    {
        var temp = Directory.CreateTempSubdirectory("aisbx-test-tmp-").FullName;
        File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        return temp;
    }

    /// <summary>Waits until a running sandbox's workspace (in <paramref name="workspaceBase"/>, else the default base) holds <paramref name="marker"/>, and returns its host path.</summary>
    public static async Task<string> WaitForOneHoldingAsync(string marker, string? workspaceBase = null)
    {
        var @base = workspaceBase ?? Base;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            var found = Directory.Exists(@base)
                ? Directory.EnumerateDirectories(@base, "sbx-*").FirstOrDefault(d => File.Exists(Path.Combine(d, marker)))
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
