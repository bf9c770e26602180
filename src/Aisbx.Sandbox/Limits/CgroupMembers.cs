namespace Aisbx.Sandbox.Limits;

/// <summary>
/// The processes in a sandbox's cgroup. Only the sandbox's init is ever put in one, so every member is the sandbox's,
/// and none may outlive bubblewrap.
/// </summary>
internal static class CgroupMembers
{
    /// <summary>SIGKILL to each process listed in the group's <c>cgroup.procs</c>.</summary>
    public static void Kill(string group)
    {
        foreach (var pid in List(group))
        {
            _ = Interop.Interop.KillPid(pid, Interop.Interop.SIGKILL);
        }
    }

    private static List<int> List(string group)
    {
        try
        {
            return [.. File.ReadLines(Path.Combine(group, "cgroup.procs")).Select(line => int.TryParse(line, out var pid) ? pid : 0).Where(pid => pid > 0)];
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }
}
