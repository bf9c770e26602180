using System.Collections.Concurrent;
using System.Collections.Immutable;
using Aisbx.Sandbox.Bubblewrap;

namespace Aisbx.Sandbox.Rootfs;

/// <summary>
/// How a built tree is mounted: each of its top-level directories read-only at its own place (bubblewrap binds are
/// nosuid and nodev), and its top-level symlinks (<c>/bin -> usr/bin</c>) as they are. /proc, /dev, /tmp, /run and
/// the workspace come from the plan, as for the host rootfs. Read once per tree: a tree never changes after its build.
/// </summary>
public static class TreeMounts
{
    private static readonly HashSet<string> FromThePlan = new(StringComparer.Ordinal) { "proc", "dev", "sys", "tmp", "run", "workspace" };

    private static readonly ConcurrentDictionary<string, ImmutableArray<MountOp>> Cache = new(StringComparer.Ordinal);

    public static ImmutableArray<MountOp> For(string treePath) => Cache.GetOrAdd(treePath, Read);

    private static ImmutableArray<MountOp> Read(string treePath)
    {
        var mounts = ImmutableArray.CreateBuilder<MountOp>();
        foreach (var entry in new DirectoryInfo(treePath).EnumerateFileSystemInfos().OrderBy(e => e.Name, StringComparer.Ordinal))
        {
            if (FromThePlan.Contains(entry.Name))
            {
                continue;
            }

            if (entry.LinkTarget is { } target)
            {
                mounts.Add(new SymlinkOp(target, "/" + entry.Name));
            }
            else if (entry is DirectoryInfo)
            {
                mounts.Add(new BindMount(entry.FullName, "/" + entry.Name, ReadOnly: true));
            }
        }

        return mounts.ToImmutable();
    }
}
