using static Aisbx.Sandbox.Interop.Interop;

namespace Aisbx.Sandbox.Host;

/// <summary>Owner, group and mode of a host path or open descriptor, through statx.</summary>
internal static class FileStatus
{
    public static Statx? OfPath(string path) =>
        StatxCall(AT_FDCWD, path, 0, STATX_BASIC_STATS, out var result) == 0 ? result : null;

    /// <summary>The path itself, never what a symlink there points to.</summary>
    public static Statx? OfLink(string path) =>
        StatxCall(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, out var result) == 0 ? result : null;

    public static Statx? OfDescriptor(int fd) =>
        StatxCall(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, out var result) == 0 ? result : null;

    /// <summary>Whether a process with only this uid/gid (no supplementary groups) has every one of <paramref name="bits"/> (r=4, w=2, x=1).</summary>
    public static bool Allows(Statx status, int uid, int gid, int bits)
    {
        var mode = status.Mode;
        var granted = status.Uid == (uint)uid ? (mode >> 6) & 7
            : status.Gid == (uint)gid ? (mode >> 3) & 7
            : mode & 7;
        return (granted & bits) == bits;
    }
}
