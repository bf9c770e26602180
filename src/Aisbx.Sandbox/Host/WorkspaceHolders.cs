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

    /// <summary>SIGKILL to each, through a pidfd taken while it still held the workspace. Scans all of /proc: only for a dead aisbx's sandbox.</summary>
    /// <returns>How many were killed.</returns>
    public static int Kill(string workspace)
    {
        // As the kernel names it: from the real path of its base (the workspace itself may be deleted already).
        workspace = Path.Combine(RealPath(Path.GetDirectoryName(workspace)!) ?? Path.GetDirectoryName(workspace)!, Path.GetFileName(workspace));
        var killed = 0;
        foreach (var process in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(process), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid == Environment.ProcessId || !Holds(process, workspace))
            {
                continue;
            }

            var pidfd = PidfdOpen(pid);
            if (pidfd < 0)
            {
                continue; // Gone already.
            }

            // Checked again through the pidfd's process: the pid cannot have been reused since it was opened.
            if (Holds(process, workspace) && PidfdSendSignal(pidfd, SIGKILL) == 0)
            {
                killed++;
            }

            _ = Close(pidfd);
        }

        return killed;
    }

    private static bool Holds(string process, string workspace)
    {
        try
        {
            foreach (var fd in Directory.EnumerateFileSystemEntries(Path.Combine(process, "fd")))
            {
                if (new FileInfo(fd).LinkTarget is { } target && (target == workspace || target == workspace + Deleted))
                {
                    return true;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // It exited, or is not ours to look at (nor to kill).
        }

        return false;
    }
}
