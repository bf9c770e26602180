using Aisbx.Core.Policy;

namespace Aisbx.Sandbox.Live;

/// <summary>
/// Paths of files in a live sandbox: relative to /workspace, or absolute under /workspace or /tmp, spelled without
/// '.', '..' or empty parts. The shape is judged here; the agent walks the result without following any symlink.
/// </summary>
public static class LivePaths
{
    public const string Workspace = "/workspace";
    public const string Tmp = "/tmp";

    /// <exception cref="PolicyRefusal">The path is not one of the sandbox's, or is not plainly spelled.</exception>
    public static string Normalize(string? path, string what = "path")
    {
        if (string.IsNullOrEmpty(path) || path == ".")
        {
            return Workspace;
        }

        if (path.Contains('\0', StringComparison.Ordinal) || path.Length > 4000)
        {
            throw new PolicyRefusal("path-invalid", $"{what} is not a usable path (a NUL byte, or over 4000 characters): give a path under /workspace");
        }

        var absolute = path.StartsWith('/') ? path.TrimEnd('/') : Workspace + "/" + path.TrimEnd('/');
        if (absolute.Length == 0)
        {
            absolute = "/";
        }

        var root = absolute == Workspace || absolute.StartsWith(Workspace + "/", StringComparison.Ordinal) ? Workspace
            : absolute == Tmp || absolute.StartsWith(Tmp + "/", StringComparison.Ordinal) ? Tmp
            : throw new PolicyRefusal("path-outside", $"{what} '{path}' is outside the sandbox's files: give a path relative to /workspace, or under /workspace or /tmp");
        foreach (var part in absolute[root.Length..].Split('/', StringSplitOptions.None).Skip(1))
        {
            if (part is "" or "." or ".." || part.Length > 255)
            {
                throw new PolicyRefusal("path-invalid", $"{what} '{path}' has a '{part}' part: spell the path plainly, without '.', '..' or '//'");
            }
        }

        return absolute;
    }
}
