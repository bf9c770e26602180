using System.Runtime.InteropServices;

namespace Aisbx.Launcher.Extract;

/// <summary>The libc calls of the extract mode: every one relative to an open directory, none following a link.</summary>
internal static unsafe partial class ExtractNative
{
    private const string Libc = "libc";

    public const int O_RDONLY = 0;
    public const int O_WRONLY = 1;
    public const int O_CREAT = 0x40;
    public const int O_EXCL = 0x80;
    public const int O_NONBLOCK = 0x800;
    public const int O_DIRECTORY = 0x10000;
    public const int O_NOFOLLOW = 0x20000;
    public const int O_CLOEXEC = 0x80000;
    public const int AT_SYMLINK_NOFOLLOW = 0x100;
    public const int AT_REMOVEDIR = 0x200;
    public const int AT_EMPTY_PATH = 0x1000;
    public const uint STATX_BASIC_STATS = 0x7ff;

    public const int EINTR = 4;
    public const int ENOENT = 2;
    public const int EEXIST = 17;
    public const int ENOTDIR = 20;
    public const int EISDIR = 21;
    public const int ELOOP = 40;

    public const int S_IFMT = 0xF000;
    public const int S_IFDIR = 0x4000;
    public const int S_IFREG = 0x8000;
    public const int S_IFLNK = 0xA000;
    public const int S_IFCHR = 0x2000;
    public const int S_IFBLK = 0x6000;
    public const int S_IFIFO = 0x1000;
    public const int S_IFSOCK = 0xC000;
    public const int S_ISUID = 0x800;
    public const int S_ISGID = 0x400;

    /// <summary>struct statx: the same layout on every architecture, unlike struct stat.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    public struct Statx
    {
        [FieldOffset(0x10)] public uint Nlink;
        [FieldOffset(0x14)] public uint Uid;
        [FieldOffset(0x1C)] public ushort Mode;
        [FieldOffset(0x20)] public ulong Inode;
        [FieldOffset(0x28)] public ulong Size;

        public readonly int Type => Mode & S_IFMT;
    }

    [LibraryImport(Libc, EntryPoint = "openat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Openat(int dirFd, string path, int flags, int mode);

    [LibraryImport(Libc, EntryPoint = "mkdirat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Mkdirat(int dirFd, string path, int mode);

    [LibraryImport(Libc, EntryPoint = "symlinkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Symlinkat(string target, int dirFd, string path);

    [LibraryImport(Libc, EntryPoint = "linkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Linkat(int oldDirFd, string oldPath, int newDirFd, string newPath, int flags);

    [LibraryImport(Libc, EntryPoint = "unlinkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Unlinkat(int dirFd, string path, int flags);

    [LibraryImport(Libc, EntryPoint = "fchmod", SetLastError = true)]
    public static partial int Fchmod(int fd, int mode);

    /// <summary>glibc 2.32+ honours AT_SYMLINK_NOFOLLOW here (through O_PATH), refusing a symlink instead of following it.</summary>
    [LibraryImport(Libc, EntryPoint = "fchmodat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Fchmodat(int dirFd, string path, int mode, int flags);

    [LibraryImport(Libc, EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int StatxCall(int dirFd, string path, int flags, uint mask, out Statx result);

    [LibraryImport(Libc, EntryPoint = "openat", SetLastError = true)]
    public static partial int Openat(int dirFd, byte* path, int flags, int mode);

    [LibraryImport(Libc, EntryPoint = "unlinkat", SetLastError = true)]
    public static partial int Unlinkat(int dirFd, byte* path, int flags);

    [LibraryImport(Libc, EntryPoint = "readlinkat", SetLastError = true)]
    public static partial nint Readlinkat(int dirFd, byte* path, byte* buffer, nuint size);

    [LibraryImport(Libc, EntryPoint = "fchmodat", SetLastError = true)]
    public static partial int Fchmodat(int dirFd, byte* path, int mode, int flags);

    [LibraryImport(Libc, EntryPoint = "statx", SetLastError = true)]
    public static partial int StatxCall(int dirFd, byte* path, int flags, uint mask, out Statx result);

    [LibraryImport(Libc, EntryPoint = "getdents64", SetLastError = true)]
    public static partial nint Getdents64(int fd, byte* buffer, nuint count);

    [LibraryImport(Libc, EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, byte* buffer, nuint count);

    [LibraryImport(Libc, EntryPoint = "close")]
    public static partial int Close(int fd);

    public static int Errno => Marshal.GetLastPInvokeError();

    public static bool TryStatus(int dirFd, string name, out Statx status) =>
        StatxCall(dirFd, name, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, out status) == 0;

    /// <summary>Writes all of <paramref name="bytes"/>, retrying short writes.</summary>
    public static bool WriteAll(int fd, ReadOnlySpan<byte> bytes)
    {
        fixed (byte* start = bytes)
        {
            var done = 0;
            while (done < bytes.Length)
            {
                var written = Write(fd, start + done, (nuint)(bytes.Length - done));
                if (written < 0 && Errno == EINTR)
                {
                    continue;
                }

                if (written <= 0)
                {
                    return false;
                }

                done += (int)written;
            }

            return true;
        }
    }
}
