using System.Collections.Immutable;
using Aisbx.Sandbox.Bubblewrap;

namespace Aisbx.Sandbox.Host;

/// <summary>
/// The <c>host</c> rootfs: the host's /usr read-only, /bin, /sbin and the library dirs as the host has them
/// (symlinks into /usr on a merged-/usr system, read-only binds otherwise), and the parts of /etc that programs need
/// to start, resolve names, check certificates and find their interpreters' settings. /etc/passwd and /etc/group
/// are generated: they name only the sandbox user.
/// </summary>
public static class HostRootfs
{
    private static readonly string[] TopLevelDirs = ["/bin", "/sbin", "/lib", "/lib64", "/lib32", "/libx32"];

    private static readonly string[] EtcEntries =
    [
        "ld.so.cache", "ld.so.conf", "ld.so.conf.d", "alternatives", "ssl", "ca-certificates", "localtime", "nsswitch.conf",
        "host.conf", "hosts", "protocols", "services", "mime.types", "os-release",
        "python3", "python3.11", "python3.12", "python3.13", "java-11-openjdk", "java-17-openjdk", "java-21-openjdk", "java-25-openjdk",
    ];

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

        foreach (var entry in EtcEntries)
        {
            var path = "/etc/" + entry;
            if (File.Exists(path) || Directory.Exists(path))
            {
                mounts.Add(new BindMount(path, path, ReadOnly: true));
            }
        }

        return mounts.ToImmutable();
    }
}
