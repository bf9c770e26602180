namespace Aisbx.Core.Policy;

/// <summary>
/// Decides whether a host directory may be mounted read-write at <c>/workspace</c>. The caller resolves symlinks
/// (from an open handle, so the answer holds for what is mounted); this class only judges paths.
/// </summary>
public static class WorkdirPolicy
{
    /// <summary>Never a workdir, nor inside one, whatever the configuration says.</summary>
    public static IReadOnlyList<string> SystemPaths { get; } =
        ["/etc", "/proc", "/sys", "/dev", "/boot", "/run", "/var/run", "/usr", "/bin", "/sbin", "/lib", "/lib64", "/lib32"];

    /// <summary>Refuses a requested path that climbs with <c>..</c>, before anything is resolved.</summary>
    public static void CheckRequested(string requested)
    {
        if (requested.Length == 0)
        {
            throw new PolicyRefusal("workdir-empty", "the workdir is empty: give a directory path, or leave it out for a fresh workspace");
        }

        if (requested.Contains('\0', StringComparison.Ordinal))
        {
            throw new PolicyRefusal("workdir-invalid", "the workdir contains a NUL byte: give a plain directory path");
        }

        if (requested.Split('/').Contains(".."))
        {
            throw new PolicyRefusal("workdir-dotdot",
                $"workdir '{requested}' contains '..': give the directory's path without '..'");
        }
    }

    /// <param name="resolved">The workdir's real path, symlinks resolved.</param>
    /// <param name="allowedRoots">The configured roots, resolved the same way.</param>
    /// <param name="protectedPaths">Paths a workdir may neither contain nor lie inside: the config dir, the fresh-workspace base.</param>
    /// <param name="configFile">Named in the fix, where the roots are configured.</param>
    /// <param name="requested">The path as the caller gave it: the only one a remote caller is told about.</param>
    public static void CheckResolved(string resolved, IReadOnlyList<string> allowedRoots, IReadOnlyList<string> protectedPaths, string configFile, string? requested = null)
    {
        requested ??= resolved;
        if (resolved == "/")
        {
            throw new PolicyRefusal("workdir-system", "the workdir resolves to '/': give a project directory instead");
        }

        foreach (var system in SystemPaths)
        {
            if (IsSameOrInside(resolved, system))
            {
                throw new PolicyRefusal("workdir-system",
                    $"workdir '{resolved}' is a system directory ({system}): give a project directory instead",
                    $"workdir '{requested}' is or leads to a system directory: give a project directory instead");
            }
        }

        foreach (var path in protectedPaths)
        {
            if (IsSameOrInside(resolved, path) || IsSameOrInside(path, resolved))
            {
                throw new PolicyRefusal("workdir-protected",
                    $"workdir '{resolved}' overlaps aisbx's own directory '{path}', which no sandbox may see: give a directory that neither contains nor lies inside it",
                    $"workdir '{requested}' overlaps a directory of aisbx's own, which no sandbox may see: give a project directory");
            }
        }

        if (!allowedRoots.Any(root => IsStrictlyInside(resolved, root)))
        {
            throw new PolicyRefusal("workdir-root",
                $"workdir '{resolved}' is not inside an allowed root ({string.Join(", ", allowedRoots)}): " +
                $"use a directory inside one of them, or add its parent to [workdir] allowed_roots in {configFile}",
                $"workdir '{requested}' is not inside a directory the operator allows: use one inside an allowed root, or leave out the workdir for a fresh workspace");
        }
    }

    public static bool IsSameOrInside(string path, string root) => path == root || IsStrictlyInside(path, root);

    public static bool IsStrictlyInside(string path, string root)
    {
        var prefix = root.EndsWith('/') ? root : root + "/";
        return path.Length > prefix.Length && path.StartsWith(prefix, StringComparison.Ordinal);
    }
}
