using Aisbx.Core.Configuration;
using Aisbx.Core.Security;
using Aisbx.Sandbox.Limits;

namespace Aisbx.Sandbox.Host;

/// <summary>
/// Removes, at start-up, what an aisbx that was killed (SIGKILL, OOM, a power cut) left behind: the fresh workspaces
/// of its sandboxes, with the program's data, their cgroups, and any process still holding a workspace
/// (<see cref="WorkspaceHolders"/>). A sandbox is left over when its
/// <see cref="SandboxLease"/> names a process that is gone; a workspace or cgroup without a lease (from an aisbx that
/// had none) when it is over a minute old. A cgroup that still holds processes is never removed (the kernel refuses).
/// A caller's workdir that a killed run had lent to the sandbox uid is given back (<see cref="WorkdirRestore"/>).
/// Each removal or give-back is a <see cref="SecurityEventKind.Sweep"/> event.
/// </summary>
public static class LeftoverSweep
{
    private static readonly TimeSpan UnleasedAge = TimeSpan.FromMinutes(1);

    /// <returns>How many workspaces and cgroups were removed.</returns>
    public static int Run(AisbxConfig config, ISecurityEventSink? events, string caller)
    {
        var removed = 0;
        var live = new HashSet<string>(StringComparer.Ordinal);
        var workspaceBase = config.WorkspaceBase;
        var cutoff = DateTime.UtcNow - UnleasedAge;
        if (Directory.Exists(workspaceBase))
        {
            var dead = new List<(string Lease, string SandboxId)>();
            foreach (var lease in Directory.EnumerateFiles(workspaceBase, "sbx-*" + SandboxLease.Suffix))
            {
                var sandboxId = Path.GetFileName(lease)[..^SandboxLease.Suffix.Length];
                if (SandboxLease.OwnerAlive(lease))
                {
                    live.Add(sandboxId);
                }
                else
                {
                    dead.Add((lease, sandboxId));
                }
            }

            var holdersKilled = dead.Count == 0 ? [] : WorkspaceHolders.Kill(workspaceBase, [.. dead.Select(d => d.SandboxId)]);
            foreach (var (lease, sandboxId) in dead)
            {
                var workspace = Path.Combine(workspaceBase, sandboxId);
                if (holdersKilled.GetValueOrDefault(sandboxId) is var killed and > 0)
                {
                    Publish(events, caller, sandboxId, $"killed {killed} process(es) of sandbox {sandboxId} still holding its workspace: its aisbx died before the sandbox was in its cgroup", Severity.Medium, "killed");
                }

                removed += RemoveWorkspace(workspace, sandboxId, "its aisbx is gone", events, caller);
                removed += RemoveCgroups(sandboxId, events, caller, out var groupsLeft);
                if (!groupsLeft)
                {
                    // Kept otherwise: the lease is what says, at the next start, that the groups left are a dead aisbx's.
                    TryDeleteFile(lease);
                }
            }

            foreach (var directory in new DirectoryInfo(workspaceBase).EnumerateDirectories("sbx-*"))
            {
                if (!live.Contains(directory.Name) && !File.Exists(SandboxLease.PathFor(workspaceBase, directory.Name)) && directory.LastWriteTimeUtc < cutoff)
                {
                    removed += RemoveWorkspace(directory.FullName, directory.Name, "it has no owner", events, caller);
                }
            }
        }

        foreach (var workdir in WorkdirRestore.SweepAbandoned(config))
        {
            removed++;
            Publish(events, caller, null, $"{(workdir.Restored ? "gave back" : "could not give back")} the workdir {workdir.Workdir} a killed run had lent: {workdir.Detail}",
                workdir.Restored ? Severity.Low : Severity.Medium, workdir.Restored ? "restored" : "failed");
        }

        foreach (var parent in CgroupHost.ParentDirectories().Where(Directory.Exists))
        {
            foreach (var group in new DirectoryInfo(parent).EnumerateDirectories("sbx-*"))
            {
                var leased = File.Exists(SandboxLease.PathFor(workspaceBase, group.Name));
                if (!live.Contains(group.Name) && !leased && group.CreationTimeUtc < cutoff && group.LastWriteTimeUtc < cutoff && TryRemoveGroup(group.FullName))
                {
                    removed++;
                    Publish(events, caller, group.Name, $"removed the empty cgroup {group.FullName} of sandbox {group.Name}: it has no owner");
                }
            }
        }

        return removed;
    }

    private static int RemoveWorkspace(string path, string sandboxId, string why, ISecurityEventSink? events, string caller)
    {
        if (!Directory.Exists(path))
        {
            return 0;
        }

        try
        {
            Workspace.TryDelete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return 0; // Tried again at the next start.
        }

        Publish(events, caller, sandboxId, $"removed the workspace {path} of sandbox {sandboxId}: {why}");
        return 1;
    }

    /// <summary>
    /// The groups of a sandbox whose aisbx is gone, with whatever still runs in them killed first: a bubblewrap whose
    /// aisbx died while it was starting can wait forever for a child that is gone, and keeps its group.
    /// </summary>
    private static int RemoveCgroups(string sandboxId, ISecurityEventSink? events, string caller, out bool groupsLeft)
    {
        var removed = 0;
        groupsLeft = false;
        foreach (var parent in CgroupHost.ParentDirectories())
        {
            var group = Path.Combine(parent, sandboxId);
            if (!Directory.Exists(group))
            {
                continue;
            }

            if (KillMembersAndRemove(group))
            {
                removed++;
                Publish(events, caller, sandboxId, $"removed the cgroup {group} of sandbox {sandboxId}: its aisbx is gone");
            }
            else
            {
                groupsLeft = true;
            }
        }

        return removed;
    }

    /// <summary>SIGKILL to every process in the group, then rmdir once they are gone (a second at most).</summary>
    private static bool KillMembersAndRemove(string group)
    {
        var giveUp = Environment.TickCount64 + 1000;
        while (true)
        {
            CgroupMembers.Kill(group);
            if (TryRemoveGroup(group) || Environment.TickCount64 > giveUp)
            {
                return !Directory.Exists(group);
            }

            Thread.Sleep(10);
        }
    }

    /// <summary>rmdir only: the kernel refuses a group that still has processes or children.</summary>
    private static bool TryRemoveGroup(string path)
    {
        try
        {
            Directory.Delete(path);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static void TryDeleteFile(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }

    private static void Publish(
        ISecurityEventSink? events, string caller, string? sandboxId, string detail, Severity severity = Severity.Low, string action = "removed") =>
        events?.Publish(new SecurityEvent(SecurityEventKind.Sweep, detail, severity, action, sandboxId, "", caller, DateTimeOffset.UtcNow));
}
