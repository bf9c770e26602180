using System.ComponentModel;
using System.Runtime.InteropServices;
using static Aisbx.Sandbox.Interop.Interop;

namespace Aisbx.Sandbox.Rootfs;

/// <summary>
/// Puts a finished build in place in one rename: a new hash appears whole, and a rebuild of the same hash
/// (<c>--force</c>) is exchanged with the old tree atomically, the old one going to the trash, where it stays
/// until the last run holding it ends.
/// </summary>
internal static class StoreSwap
{
    public static void Commit(RootfsStore store, string staging, string hash)
    {
        var target = Path.Combine(store.Root, hash);
        if (!Directory.Exists(target))
        {
            Directory.Move(staging, target);
            return;
        }

        if (Renameat2(AT_FDCWD, staging, AT_FDCWD, target, RENAME_EXCHANGE) != 0)
        {
            throw new Win32Exception(Marshal.GetLastPInvokeError(), $"swapping in the new tree {hash[..12]}");
        }

        Directory.Move(staging, Path.Combine(store.Root, RootfsStore.TrashPrefix + hash[..12] + "-" + Guid.NewGuid().ToString("N")[..8]));
    }
}
