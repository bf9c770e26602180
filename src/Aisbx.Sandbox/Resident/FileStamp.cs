using System.Globalization;
using static Aisbx.Sandbox.Interop.Interop;

namespace Aisbx.Sandbox.Resident;

/// <summary>
/// What tells one version of a file from the next: device, inode, size and change time (which no one can set back,
/// unlike the modification time). The resident server compares them to know that it still runs what the caller would.
/// </summary>
public static class FileStamp
{
    public const string Absent = "-";

    /// <summary>The stamp of <paramref name="path"/> (a symlink's target), or <see cref="Absent"/>.</summary>
    public static string Of(string path) =>
        StatxCall(AT_FDCWD, path, 0, STATX_BASIC_STATS, out var stat) != 0
            ? Absent
            : string.Create(CultureInfo.InvariantCulture, $"{stat.DeviceMajor}:{stat.DeviceMinor}:{stat.Inode}:{stat.Size}:{stat.ChangedSeconds}.{stat.ChangedNanoseconds}");

    /// <summary>Whether <paramref name="path"/> is a directory of this user's that no one else may enter or write.</summary>
    public static bool IsPrivateDirectory(string path) =>
        StatxCall(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, out var stat) == 0
        && stat.IsDirectory && stat.Uid == GetEffectiveUserId() && (stat.Mode & 0x3F) == 0;
}
