using System.Collections.Immutable;
using Aisbx.Core.Policy;
using Aisbx.Sandbox.Bubblewrap;
using static Aisbx.Sandbox.Interop.Interop;

namespace Aisbx.Sandbox.Host;

/// <summary>
/// Places a request's files in its fresh workspace before the sandbox starts, owned by the sandbox's host uid. The
/// workspace was made by aisbx a moment ago and nothing else has written to it, so no symlink can redirect a write;
/// the paths were checked by <see cref="FilesPolicy"/>.
/// </summary>
internal static class WorkspaceFiles
{
    public static void Place(string workspace, ImmutableSortedDictionary<string, string> files, HostIdentity? owner)
    {
        foreach (var (relative, content) in files)
        {
            FilesPolicy.CheckPath(relative);
            var path = Path.Combine(workspace, relative);
            try
            {
                CreateParents(workspace, relative, owner);
                using (var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write))
                using (var writer = new StreamWriter(stream))
                {
                    writer.Write(content);
                }

                GiveTo(path, owner);
            }
            catch (IOException)
            {
                throw new PolicyRefusal("files-conflict",
                    $"file '{relative}' collides with another file's directory: give each file a path of its own");
            }
        }
    }

    private static void CreateParents(string workspace, string relative, HostIdentity? owner)
    {
        var current = workspace;
        var segments = relative.Split('/');
        foreach (var segment in segments[..^1])
        {
            current = Path.Combine(current, segment);
            if (!Directory.Exists(current))
            {
                Directory.CreateDirectory(current);
                GiveTo(current, owner);
            }
        }
    }

    private static void GiveTo(string path, HostIdentity? owner)
    {
        if (owner is not null)
        {
            _ = Chown(path, owner.Uid, owner.Gid);
        }
    }
}
