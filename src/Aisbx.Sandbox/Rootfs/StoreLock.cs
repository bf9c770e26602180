using Microsoft.Win32.SafeHandles;
using static Aisbx.Sandbox.Interop.Interop;

namespace Aisbx.Sandbox.Rootfs;

/// <summary>flock(2) on a file of the store: shared by runs using a tree, exclusive for a build, a prune or a removal.</summary>
internal static class StoreLock
{
    /// <returns>The held lock, or null when another holds it (non-blocking) or the file is gone.</returns>
    public static SafeFileHandle? TryTake(string path, bool exclusive, bool create = false)
    {
        SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(path, create ? FileMode.OpenOrCreate : FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        if (Flock((int)handle.DangerousGetHandle(), (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) != 0)
        {
            handle.Dispose();
            return null;
        }

        return handle;
    }

    /// <summary>Waits for the lock, polling so that a cancel is seen; <paramref name="onWait"/> is called once if it must wait.</summary>
    public static async Task<SafeFileHandle> TakeAsync(string path, bool exclusive, Action onWait, CancellationToken cancellationToken)
    {
        var waited = false;
        while (true)
        {
            if (TryTake(path, exclusive, create: true) is { } held)
            {
                return held;
            }

            if (!waited)
            {
                waited = true;
                onWait();
            }

            await Task.Delay(200, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Whether <paramref name="held"/> is still the file at <paramref name="path"/> (not renamed away or replaced meanwhile).</summary>
    public static bool StillAt(SafeFileHandle held, string path)
    {
        var open = Host.FileStatus.OfDescriptor((int)held.DangerousGetHandle());
        var now = Host.FileStatus.OfPath(path);
        return open is { } a && now is { } b && a.Inode == b.Inode && a.DeviceMajor == b.DeviceMajor && a.DeviceMinor == b.DeviceMinor;
    }
}
