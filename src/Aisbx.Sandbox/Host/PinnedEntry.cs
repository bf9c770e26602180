using System.ComponentModel;
using System.Globalization;
using System.Runtime.InteropServices;
using static Aisbx.Sandbox.Interop.Interop;

namespace Aisbx.Sandbox.Host;

/// <summary>
/// One directory entry held by an O_PATH|O_NOFOLLOW descriptor: its status, owner, mode and ACLs are read and changed
/// through that descriptor (AT_EMPTY_PATH, or <c>/proc/self/fd/N</c>, which names the inode itself), so swapping the
/// name for a symlink after it was judged cannot redirect a change onto another file.
/// </summary>
internal sealed unsafe class PinnedEntry : IDisposable
{
    private static readonly byte[] Empty = [0];

    private readonly int _fd;
    private readonly bool _owned;

    private PinnedEntry(int fd, bool owned, Statx status)
    {
        _fd = fd;
        _owned = owned;
        Status = status;
    }

    /// <summary>The status read through the descriptor when it was opened (not updated by changes made through it).</summary>
    public Statx Status { get; }

    /// <summary>A path that leads to this very inode, for calls that take only paths (libacl, xattrs, chmod).</summary>
    public string ProcPath => "/proc/self/fd/" + _fd.ToString(CultureInfo.InvariantCulture);

    /// <summary>Opens <paramref name="name"/> in <paramref name="dirFd"/>; null when it is gone.</summary>
    public static PinnedEntry? Open(int dirFd, byte[] name)
    {
        int fd;
        fixed (byte* path = name)
        {
            fd = Openat(dirFd, path, O_PATH | O_NOFOLLOW | O_CLOEXEC, 0);
        }

        if (fd < 0)
        {
            return null;
        }

        if (!TryStatus(fd, out var status))
        {
            _ = Close(fd);
            return null;
        }

        return new PinnedEntry(fd, owned: true, status);
    }

    /// <summary>An entry for a descriptor held elsewhere (the workdir's own), not closed on dispose.</summary>
    public static PinnedEntry Borrow(int fd) =>
        TryStatus(fd, out var status) ? new PinnedEntry(fd, owned: false, status) : throw Failure("read the workdir's status");

    /// <summary>Changes owner and group (-1 keeps one); never follows a symlink.</summary>
    public void Chown(int uid, int gid)
    {
        fixed (byte* empty = Empty)
        {
            if (Fchownat(_fd, empty, uid, gid, AT_EMPTY_PATH) != 0)
            {
                throw Failure("change the owner of a workdir entry");
            }
        }
    }

    /// <summary>Sets the permission bits of a file or directory (never of a symlink: chmod would follow it).</summary>
    public void Chmod(int mode)
    {
        if (Status.IsSymlink)
        {
            throw new InvalidOperationException("a symlink's mode is never changed");
        }

        if (Interop.Interop.Chmod(ProcPath, mode) != 0)
        {
            throw Failure("change the mode of a workdir entry");
        }
    }

    /// <summary>Whether the file carries file capabilities, which a chown would drop.</summary>
    public bool HasCapabilities() => Getxattr(ProcPath, "security.capability", 0, 0) >= 0;

    public void Dispose()
    {
        if (_owned)
        {
            _ = Close(_fd);
        }
    }

    private static bool TryStatus(int fd, out Statx status)
    {
        fixed (byte* empty = Empty)
        {
            return StatxCall(fd, empty, AT_EMPTY_PATH, STATX_BASIC_STATS | STATX_MNT_ID, out status) == 0;
        }
    }

    private static IOException Failure(string what) =>
        new($"cannot {what}: {new Win32Exception(Marshal.GetLastPInvokeError()).Message}");
}
