using System.Collections.Immutable;
using Aisbx.Sandbox.Bubblewrap;
using Microsoft.Win32.SafeHandles;

namespace Aisbx.Sandbox.Rootfs;

/// <summary>
/// The tree a run or live sandbox mounts, held (a shared lock on the tree's lock file) until it is disposed, so that
/// neither a prune nor a swap removes a tree in use.
/// </summary>
public sealed class RootfsLease : IDisposable
{
    private readonly SafeFileHandle? _lock;

    internal RootfsLease(ImmutableArray<MountOp> mounts, string? treePath, SafeFileHandle? heldLock)
    {
        Mounts = mounts;
        TreePath = treePath;
        _lock = heldLock;
    }

    public static RootfsLease Host { get; } = new(Sandbox.Host.HostRootfs.Mounts, null, null);

    public ImmutableArray<MountOp> Mounts { get; }

    /// <summary>The built tree on the host; null for the host rootfs.</summary>
    public string? TreePath { get; }

    public void Dispose() => _lock?.Dispose();
}
