namespace Aisbx.Sandbox.Limits;

/// <summary>Which cgroup hierarchy can hold sandboxes on this host, found once per process.</summary>
public enum CgroupMode
{
    /// <summary>No writable hierarchy with memory and pids controllers (not root, or not delegated): rlimits only.</summary>
    None,

    /// <summary>cgroup v1 memory and pids controllers (also on hybrid hosts).</summary>
    V1,

    /// <summary>The unified cgroup v2 hierarchy with memory and pids enabled.</summary>
    V2,
}

/// <summary>
/// Finds the cgroup hierarchy for per-sandbox memory and pids limits: cgroup v2 when the unified hierarchy has both
/// controllers and aisbx may write it, else cgroup v1's memory and pids hierarchies, else none.
/// </summary>
public static class CgroupHost
{
    public const string Root = "/sys/fs/cgroup";
    public const string ParentName = "aisbx";

    private static readonly Lazy<CgroupMode> Detected = new(Detect);

    public static CgroupMode Mode => Detected.Value;

    /// <summary>cgroup v1 has CPU accounting in its own hierarchy (cpuacct), for the CPU time of a whole sandbox.</summary>
    public static bool HasV1CpuAccounting { get; } = File.Exists(Path.Combine(Root, "cpuacct", "cpuacct.usage"));

    /// <summary>The directories under which the groups of sandboxes are made: one per v1 hierarchy, or v2's one.</summary>
    public static IReadOnlyList<string> ParentDirectories() => Mode switch
    {
        CgroupMode.V2 => [Path.Combine(Root, ParentName)],
        CgroupMode.V1 =>
        [
            Path.Combine(Root, "memory", ParentName),
            Path.Combine(Root, "pids", ParentName),
            .. HasV1CpuAccounting ? [Path.Combine(Root, "cpuacct", ParentName)] : Array.Empty<string>(),
        ],
        _ => [],
    };

    public static string Describe() => Mode switch
    {
        CgroupMode.V2 => $"cgroup v2 at {Root}/{ParentName}",
        CgroupMode.V1 when HasV1CpuAccounting => $"cgroup v1 memory, pids and cpuacct at {Root}/{{memory,pids,cpuacct}}/{ParentName}",
        CgroupMode.V1 => $"cgroup v1 memory and pids at {Root}/{{memory,pids}}/{ParentName}",
        _ => "no writable cgroup hierarchy (run aisbx as root, or on a host that delegates cgroup v2 to it)",
    };

    private static CgroupMode Detect()
    {
        if (!Host.SandboxIdentity.CallerIsRoot)
        {
            return CgroupMode.None;
        }

        var controllers = Path.Combine(Root, "cgroup.controllers");
        if (File.Exists(controllers))
        {
            var available = File.ReadAllText(controllers).Split(' ', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            return available.Contains("memory") && available.Contains("pids") && TryPrepareV2() ? CgroupMode.V2 : CgroupMode.None;
        }

        return File.Exists(Path.Combine(Root, "memory", "memory.limit_in_bytes")) && Directory.Exists(Path.Combine(Root, "pids"))
            ? CgroupMode.V1
            : CgroupMode.None;
    }

    /// <summary>Enables memory and pids for aisbx's parent group, whose own processes must stay none (v2's rule).</summary>
    private static bool TryPrepareV2()
    {
        try
        {
            File.WriteAllText(Path.Combine(Root, "cgroup.subtree_control"), "+memory +pids");
            var parent = Path.Combine(Root, ParentName);
            Directory.CreateDirectory(parent);
            File.WriteAllText(Path.Combine(parent, "cgroup.subtree_control"), "+memory +pids");
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
