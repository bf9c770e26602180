using System.Globalization;
using static Aisbx.Sandbox.Interop.Interop;

namespace Aisbx.Sandbox.Host;

/// <summary>
/// The processes that hold a sandbox's workspace open. When aisbx dies before the sandbox is in its cgroup,
/// bubblewrap's init can be left waiting for good on a bubblewrap that is gone (no parent-death signal yet, in no
/// cgroup of the sandbox), and the only mark of whose it is, is the workspace descriptor it was given for
/// <c>--bind-fd</c>. Only a sandbox is ever given one, and the sandbox id in its path is unguessable.
/// </summary>
internal static class WorkspaceHolders
{
    private const string Deleted = " (deleted)";

    /// <summary>
    /// SIGKILL to each, through a pidfd taken while it still held the workspace. Scans all of /proc once, for all the
    /// given sandboxes: only for a dead aisbx's.
    /// </summary>
    /// <returns>How many were killed, by sandbox id (absent: none).</returns>
    public static Dictionary<string, int> Kill(string workspaceBase, IReadOnlyCollection<string> sandboxIds)
    {
        // As the kernel names them: from the real path of their base (a workspace itself may be deleted already).
        var realBase = RealPath(workspaceBase) ?? workspaceBase;
        var owners = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var sandboxId in sandboxIds)
        {
            var workspace = Path.Combine(realBase, sandboxId);
            owners[workspace] = sandboxId;
            owners[workspace + Deleted] = sandboxId;
        }

        var killed = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var process in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(process), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid == Environment.ProcessId || HeldBy(process, owners) is null)
            {
                continue;
            }

            var pidfd = PidfdOpen(pid);
            if (pidfd < 0)
            {
                continue; // Gone already.
            }

            // Checked again through the pidfd's process: the pid cannot have been reused since it was opened.
            if (HeldBy(process, owners) is { } sandboxId && PidfdSendSignal(pidfd, SIGKILL) == 0)
            {
                killed[sandboxId] = killed.GetValueOrDefault(sandboxId) + 1;
            }

            _ = Close(pidfd);
        }

        return killed;
    }

    /// <summary>The sandbox whose workspace the process holds open, if any.</summary>
    private static string? HeldBy(string process, Dictionary<string, string> owners)
    {
        try
        {
            foreach (var fd in Directory.EnumerateFileSystemEntries(Path.Combine(process, "fd")))
            {
                if (new FileInfo(fd).LinkTarget is { } target && owners.TryGetValue(target, out var sandboxId))
                {
                    return sandboxId;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // It exited, or is not ours to look at (nor to kill).
        }

        return null;
    }
}
