using System.Runtime.InteropServices;

namespace Aisbx.Sandbox.Interop;

internal static partial class Interop
{
    internal const int AT_FDCWD = -100;
    internal const int AT_EMPTY_PATH = 0x1000;
    internal const uint STATX_BASIC_STATS = 0x7ff;
    internal const uint STATX_MNT_ID = 0x1000;
    internal const int S_IFMT = 0xF000;
    internal const int S_IFDIR = 0x4000;
    internal const int S_IFREG = 0x8000;
    internal const int S_IFLNK = 0xA000;

    /// <summary>struct statx: the same layout on every architecture, unlike struct stat.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    internal struct Statx
    {
        [FieldOffset(0x00)] public uint Mask;
        [FieldOffset(0x10)] public uint Nlink;
        [FieldOffset(0x14)] public uint Uid;
        [FieldOffset(0x18)] public uint Gid;
        [FieldOffset(0x1C)] public ushort Mode;
        [FieldOffset(0x20)] public ulong Inode;
        [FieldOffset(0x28)] public ulong Size;
        [FieldOffset(0x60)] public long ChangedSeconds;
        [FieldOffset(0x68)] public uint ChangedNanoseconds;
        [FieldOffset(0x88)] public uint DeviceMajor;
        [FieldOffset(0x8C)] public uint DeviceMinor;
        [FieldOffset(0x90)] public ulong MountId;

        public readonly bool IsDirectory => (Mode & S_IFMT) == S_IFDIR;

        public readonly bool IsRegularFile => (Mode & S_IFMT) == S_IFREG;

        public readonly bool IsSymlink => (Mode & S_IFMT) == S_IFLNK;
    }

    [LibraryImport(Libraries.Libc, EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int StatxCall(int dirFd, string path, int flags, uint mask, out Statx result);

    [LibraryImport(Libraries.Libc, EntryPoint = "statx", SetLastError = true)]
    internal static unsafe partial int StatxCall(int dirFd, byte* path, int flags, uint mask, out Statx result);
}
