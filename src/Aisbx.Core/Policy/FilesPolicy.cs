using System.Text;
using Aisbx.Core.Configuration;
using Aisbx.Core.Runs;

namespace Aisbx.Core.Policy;

/// <summary>
/// The files a request places in its fresh workspace: plain relative paths that stay inside it, within the size
/// and count limits, and never together with a caller's own workdir.
/// </summary>
public static class FilesPolicy
{
    public static void Check(RunRequest request, RequestSizeLimits limits)
    {
        if (request.Files.IsEmpty)
        {
            return;
        }

        if (request.Workdir is not null)
        {
            throw new PolicyRefusal("files-with-workdir",
                "files are placed only in a fresh workspace, and a workdir was given: leave out the workdir, or put the files in it yourself");
        }

        if (request.Files.Count > limits.MaxFiles)
        {
            throw new PolicyRefusal("files-count", $"{request.Files.Count} files are more than the limit of {limits.MaxFiles}: pack them into fewer files");
        }

        long bytes = 0;
        foreach (var (path, content) in request.Files)
        {
            CheckPath(path);
            bytes += Encoding.UTF8.GetByteCount(content);
        }

        if (bytes > limits.MaxFilesBytes)
        {
            throw new PolicyRefusal("files-size", $"the files take {bytes} bytes, over the limit of {limits.MaxFilesBytes}: send less, or pass data through stdin");
        }
    }

    /// <summary>A path relative to the workspace that cannot leave it: no leading '/', no '..', no empty or '.' segment.</summary>
    public static void CheckPath(string path)
    {
        var segments = path.Split('/');
        if (path.Length == 0 || path.Length > 4096 || path.StartsWith('/') || path.Contains('\0', StringComparison.Ordinal) ||
            segments.Any(segment => segment is "" or "." or ".." || segment.Length > 255))
        {
            throw new PolicyRefusal("files-path",
                $"file path '{Printable(path)}' would leave the workspace or is not a plain relative path: write it like \"src/main.py\", without '..', '.', empty parts or a leading '/'");
        }
    }

    private static string Printable(string path) =>
        path.Length > 200 ? path[..200] + "…" : path.Replace('\0', '?');
}
