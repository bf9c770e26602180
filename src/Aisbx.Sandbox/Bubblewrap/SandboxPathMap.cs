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
                    return bind.Source + rest;
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

    private static bool Covers(string target, string path) =>
        path == target || (path.StartsWith(target, StringComparison.Ordinal) && (target == "/" || path[target.Length] == '/'));
}
