using System.Collections.Immutable;
using System.Runtime.InteropServices;
using Aisbx.Sandbox.Bubblewrap;

namespace Aisbx.Sandbox.Rootfs;

/// <summary>
/// The host's dynamic loader and the C libraries the launcher links (libc, libm), mounted read-only at
/// <c>/run/aisbx/lib</c> in a sandbox whose tree came from an image: such a tree may have no glibc (Alpine), or an
/// older one than the launcher was built against. The launcher then starts through that loader (<see cref="Prefix"/>)
/// and execs the program, which uses the tree's own loader and libraries; nothing of the host's is on the program's
/// library path.
/// </summary>
public static class LauncherRuntime
{
    public const string Directory = "/run/aisbx/lib";

    private static readonly string[] Libraries = ["libc.so.6", "libm.so.6"];
    private static readonly string[] LibraryDirectories = ["/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib"];

    private static readonly Lazy<(string Loader, ImmutableArray<MountOp> Mounts)?> Found = new(Find);

    public static bool Available => Found.Value is not null;

    /// <summary>What goes before the launcher's path on bubblewrap's command line.</summary>
    public static ImmutableArray<string> Prefix => Found.Value is { } found ? [$"{Directory}/{Path.GetFileName(found.Loader)}", "--library-path", Directory] : [];

    public static ImmutableArray<MountOp> Mounts => Found.Value?.Mounts ?? [];

    private static (string, ImmutableArray<MountOp>)? Find()
    {
        var loader = RuntimeInformation.OSArchitecture == Architecture.Arm64 ? "/lib/ld-linux-aarch64.so.1" : "/lib64/ld-linux-x86-64.so.2";
        if (!File.Exists(loader))
        {
            return null;
        }

        var mounts = ImmutableArray.CreateBuilder<MountOp>();
        mounts.Add(new BindMount(Path.GetFullPath(new FileInfo(loader).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? loader), $"{Directory}/{Path.GetFileName(loader)}", ReadOnly: true));
        foreach (var library in Libraries)
        {
            var path = LibraryDirectories.Select(d => Path.Combine(d, library)).FirstOrDefault(File.Exists);
            if (path is null)
            {
                return null;
            }

            var real = new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? path;
            mounts.Add(new BindMount(real, $"{Directory}/{library}", ReadOnly: true));
        }

        return (loader, mounts.ToImmutable());
    }
}
