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

    /// <summary>Never of use in a sandbox; in a package tree also the dirs Debian leaves empty. Each bind costs bubblewrap a few mount calls.</summary>
    private static readonly HashSet<string> Unused = new(StringComparer.Ordinal) { "boot", "media", "mnt", "lost+found" };
    private static readonly HashSet<string> EmptyInPackageTrees = new(StringComparer.Ordinal) { "home", "root", "srv" };

    private static readonly ConcurrentDictionary<string, ImmutableArray<MountOp>> Cache = new(StringComparer.Ordinal);

    public static ImmutableArray<MountOp> For(string treePath, bool fromPackages) => Cache.GetOrAdd(treePath, path => Read(path, fromPackages));

    private static ImmutableArray<MountOp> Read(string treePath, bool fromPackages)
    {
        var mounts = ImmutableArray.CreateBuilder<MountOp>();
        foreach (var entry in new DirectoryInfo(treePath).EnumerateFileSystemInfos().OrderBy(e => e.Name, StringComparer.Ordinal))
        {
            if (FromThePlan.Contains(entry.Name) || Unused.Contains(entry.Name) || (fromPackages && EmptyInPackageTrees.Contains(entry.Name)))
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
