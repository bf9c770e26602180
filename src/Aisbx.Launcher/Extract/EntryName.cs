using System.Text;
using static Aisbx.Launcher.Extract.ExtractNative;

namespace Aisbx.Launcher.Extract;

/// <summary>
/// A name read from a directory, kept as its raw NUL-terminated bytes (a Linux name need not be UTF-8), with the
/// calls the tree check makes on it relative to its directory, none following a link.
/// </summary>
internal readonly unsafe struct EntryName(byte[] raw)
{
    /// <summary>For messages only: invalid UTF-8 shows as U+FFFD.</summary>
    public string Text { get; } = Encoding.UTF8.GetString(raw, 0, raw.Length - 1);

    public bool TryStatus(int dirFd, out Statx status)
    {
        fixed (byte* path = raw)
        {
            return StatxCall(dirFd, path, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, out status) == 0;
        }
    }

    public int Unlink(int dirFd)
    {
        fixed (byte* path = raw)
        {
            return Unlinkat(dirFd, path, 0);
        }
    }

    public int Chmod(int dirFd, int mode)
    {
        fixed (byte* path = raw)
        {
            return Fchmodat(dirFd, path, mode, AT_SYMLINK_NOFOLLOW);
        }
    }

    public int OpenDirectory(int dirFd)
    {
        fixed (byte* path = raw)
        {
            return Openat(dirFd, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0);
        }
    }

    /// <summary>The symlink's target; null when it cannot be read.</summary>
    public string? ReadLink(int dirFd)
    {
        var target = new byte[4096];
        nint length;
        fixed (byte* path = raw)
        fixed (byte* buffer = target)
        {
            length = Readlinkat(dirFd, path, buffer, (nuint)target.Length);
        }

        return length < 0 ? null : Encoding.UTF8.GetString(target, 0, (int)length);
    }
}
