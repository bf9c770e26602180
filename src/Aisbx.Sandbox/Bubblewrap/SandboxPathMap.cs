namespace Aisbx.Sandbox.Bubblewrap;

/// <summary>Maps a path as the sandbox will see it to the host path behind it, through the plan's binds and symlinks.</summary>
public static class SandboxPathMap
{
    private const int MaxLinks = 16;

    /// <returns>The host path, or null when nothing of the host backs it (tmpfs, procfs, a generated file).</returns>
    public static string? ToHost(LaunchPlan plan, string sandboxPath)
    {
        for (var hops = 0; hops < MaxLinks; hops++)
        {
            MountOp? best = null;
            foreach (var op in plan.Mounts)
            {
                if (op is RemountReadOnly || !Covers(op.Target, sandboxPath))
                {
                    continue;
                }

                // The deepest target wins; among equals, the later step (bubblewrap applies them in order).
                if (best is null || op.Target.Length >= best.Target.Length)
                {
                    best = op;
                }
            }

            var rest = best is null ? "" : sandboxPath[best.Target.Length..];
            switch (best)
            {
                case BindMount bind:
                    if (WalkBind(bind, rest) is not { } next)
                    {
                        return bind.Source + rest;
                    }

                    sandboxPath = next;
                    continue;
                case WorkspaceMount workspace:
                    return workspace.HostPath + rest;
                case SymlinkOp link:
                    var parent = link.Target[..link.Target.LastIndexOf('/')];
                    sandboxPath = (link.LinkTarget.StartsWith('/') ? link.LinkTarget : parent + "/" + link.LinkTarget) + rest;
                    continue;
                default:
                    return null;
            }
        }

        return null;
    }

    /// <summary>
    /// Follows the path below a bind as the sandbox would: a symlink met on the way is read on the host but resolved
    /// in the sandbox's namespace (an absolute one from the sandbox's root, so <c>/etc/alternatives/java</c> in a
    /// built tree is the tree's, not the host's).
    /// </summary>
    /// <returns>The sandbox path to look up next, when a symlink was met; null when the walk reached the end.</returns>
    private static string? WalkBind(BindMount bind, string rest)
    {
        var host = bind.Source;
        var inSandbox = bind.Target == "/" ? "" : bind.Target;
        var components = rest.Split('/', StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < components.Length; i++)
        {
            host += "/" + components[i];
            string? target;
            try
            {
                target = new FileInfo(host).LinkTarget;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return null;
            }

            if (target is not null)
            {
                var remaining = string.Join('/', components[(i + 1)..]);
                var next = (target.StartsWith('/') ? target : inSandbox + "/" + target) + (remaining.Length > 0 ? "/" + remaining : "");
                return Path.GetFullPath(next.StartsWith('/') ? next : "/" + next);
            }

            inSandbox += "/" + components[i];
        }

        return null;
    }

    private static bool Covers(string target, string path) =>
        path == target || (path.StartsWith(target, StringComparison.Ordinal) && (target == "/" || path[target.Length] == '/'));
}
