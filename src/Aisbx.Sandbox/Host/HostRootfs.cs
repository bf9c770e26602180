using System.Collections.Immutable;
using Aisbx.Sandbox.Bubblewrap;

namespace Aisbx.Sandbox.Host;

/// <summary>
/// The <c>host</c> rootfs: the host's /usr read-only, and /bin, /sbin and the library dirs as the host has them
/// (symlinks into /usr on a merged-/usr system, read-only binds otherwise).
/// </summary>
public static class HostRootfs
{
    private static readonly string[] TopLevelDirs = ["/bin", "/sbin", "/lib", "/lib64", "/lib32", "/libx32"];

    private static readonly Lazy<ImmutableArray<MountOp>> Cached = new(Read);

    /// <summary>Read once per process: the host's layout does not change under a running aisbx.</summary>
    public static ImmutableArray<MountOp> Mounts => Cached.Value;

    private static ImmutableArray<MountOp> Read()
    {
        var mounts = ImmutableArray.CreateBuilder<MountOp>();
        mounts.Add(new BindMount("/usr", "/usr", ReadOnly: true));
        foreach (var dir in TopLevelDirs)
        {
            var info = new DirectoryInfo(dir);
            if (info.LinkTarget is { } target)
            {
                mounts.Add(new SymlinkOp(target, dir));
            }
            else if (info.Exists)
            {
                mounts.Add(new BindMount(dir, dir, ReadOnly: true));
            }
        }

        return mounts.ToImmutable();
    }
}
