using System.Runtime.InteropServices;

namespace Aisbx.Launcher;

/// <summary>The libc calls the agent makes besides the launcher's own: poll, descriptor passing, spawning, reaping and files.</summary>
internal static unsafe partial class Native
{
    public const int EINTR = 4;
    public const int EAGAIN = 11;
    public const int ENOENT = 2;
    public const int ENOTDIR = 20;
    public const int EISDIR = 21;
    public const int EINVAL = 22;
    public const int ENOEXEC = 8;
    public const int ELOOP = 40;
    public const int EEXIST = 17;
    public const int EFBIG = 27;
    public const int ENOTEMPTY = 39;

    public const short POLLIN = 0x001;
    public const short POLLHUP = 0x010;

    public const int O_RDONLY = 0;
    public const int O_WRONLY = 1;
    public const int O_CREAT = 0x40;
    public const int O_TRUNC = 0x200;
    public const int O_NONBLOCK = 0x800;
    public const int O_DIRECTORY = 0x10000;
    public const int O_NOFOLLOW = 0x20000;
    public const int O_CLOEXEC = 0x80000;
    public const int O_PATH = 0x200000;

    public const int AT_SYMLINK_NOFOLLOW = 0x100;
    public const int AT_REMOVEDIR = 0x200;
    public const int AT_EMPTY_PATH = 0x1000;

    public const int MSG_CMSG_CLOEXEC = 0x40000000;
    public const int MSG_NOSIGNAL = 0x4000;
    public const int WNOHANG = 1;
    public const int PR_SET_DUMPABLE = 4;
    public const short POSIX_SPAWN_SETSIGDEF = 0x04;
    public const short POSIX_SPAWN_SETSIGMASK = 0x08;
    public const short POSIX_SPAWN_SETSID = 0x80;

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    /// <summary>struct rusage: only the two CPU times are read; the rest is room.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Rusage
    {
        public long UserSeconds;
        public long UserMicros;
        public long SystemSeconds;
        public long SystemMicros;
        public fixed long Rest[14];
    }

    /// <summary>struct statx (the same on every architecture).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Statx
    {
        public uint Mask;
        public uint BlockSize;
        public ulong Attributes;
        public uint Links;
        public uint Uid;
        public uint Gid;
        public ushort Mode;
        public ushort Spare0;
        public ulong Inode;
        public ulong Size;
        public ulong Blocks;
        public ulong AttributesMask;
        public long AccessSeconds;
        public uint AccessNanos;
        public int Spare1;
        public long BirthSeconds;
        public uint BirthNanos;
        public int Spare2;
        public long ChangeSeconds;
        public uint ChangeNanos;
        public int Spare3;
        public long ModifySeconds;
        public uint ModifyNanos;
        public int Spare4;
        public fixed ulong Rest[16];
    }

    /// <summary>struct statvfs (64-bit layout).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct StatVfs
    {
        public ulong BlockSize;
        public ulong FragmentSize;
        public ulong Blocks;
        public ulong BlocksFree;
        public ulong BlocksAvailable;
        public ulong Files;
        public ulong FilesFree;
        public ulong FilesAvailable;
        public ulong FsId;
        public ulong Flags;
        public ulong NameMax;
        public fixed int Spare[6];
    }

    /// <summary>signal(2) with a handler of 0 (SIG_DFL) or 1 (SIG_IGN).</summary>
    [LibraryImport(Libc, EntryPoint = "signal")]
    public static partial nint Signal(int signal, nint handler);

    [LibraryImport(Libc, EntryPoint = "poll", SetLastError = true)]
    public static partial int Poll(PollFd* fds, nuint count, int timeout);

    [LibraryImport(Libc, EntryPoint = "recvmsg", SetLastError = true)]
    public static partial nint RecvMsg(int socket, MsgHdr* message, int flags);

    [LibraryImport(Libc, EntryPoint = "wait4", SetLastError = true)]
    public static partial int Wait4(int pid, int* status, int options, Rusage* usage);

    [LibraryImport(Libc, EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);

    [LibraryImport(Libc, EntryPoint = "openat", SetLastError = true)]
    public static partial int OpenAt(int directory, byte* path, int flags, uint mode);

    [LibraryImport(Libc, EntryPoint = "mkdirat", SetLastError = true)]
    public static partial int MkdirAt(int directory, byte* path, uint mode);

    [LibraryImport(Libc, EntryPoint = "unlinkat", SetLastError = true)]
    public static partial int UnlinkAt(int directory, byte* path, int flags);

    [LibraryImport(Libc, EntryPoint = "statx", SetLastError = true)]
    public static partial int StatX(int directory, byte* path, int flags, uint mask, Statx* buffer);

    [LibraryImport(Libc, EntryPoint = "fstatvfs", SetLastError = true)]
    public static partial int FStatVfs(int fd, StatVfs* buffer);

    [LibraryImport(Libc, EntryPoint = "fchmod", SetLastError = true)]
    public static partial int FChmod(int fd, uint mode);

    [LibraryImport(Libc, EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, byte* buffer, nuint count);

    [LibraryImport(Libc, EntryPoint = "pread", SetLastError = true)]
    public static partial nint PRead(int fd, byte* buffer, nuint count, long offset);

    [LibraryImport(Libc, EntryPoint = "write", SetLastError = true)]
    public static partial nint WriteSome(int fd, byte* buffer, nuint count);

    [LibraryImport(Libc, EntryPoint = "fdopendir", SetLastError = true)]
    public static partial nint FdOpenDir(int fd);

    [LibraryImport(Libc, EntryPoint = "readdir64", SetLastError = true)]
    public static partial nint ReadDir(nint directory);

    [LibraryImport(Libc, EntryPoint = "closedir")]
    public static partial int CloseDir(nint directory);

    [LibraryImport(Libc, EntryPoint = "posix_spawn")]
    public static partial int PosixSpawn(int* pid, byte* path, void* fileActions, void* attributes, byte** argv, byte** envp);

    [LibraryImport(Libc, EntryPoint = "posix_spawn_file_actions_init")]
    public static partial int FileActionsInit(void* actions);

    [LibraryImport(Libc, EntryPoint = "posix_spawn_file_actions_destroy")]
    public static partial int FileActionsDestroy(void* actions);

    [LibraryImport(Libc, EntryPoint = "posix_spawn_file_actions_adddup2")]
    public static partial int FileActionsAddDup2(void* actions, int fd, int newFd);

    [LibraryImport(Libc, EntryPoint = "posix_spawn_file_actions_addclosefrom_np")]
    public static partial int FileActionsAddCloseFrom(void* actions, int lowFd);

    [LibraryImport(Libc, EntryPoint = "posix_spawn_file_actions_addchdir_np")]
    public static partial int FileActionsAddChdir(void* actions, byte* path);

    [LibraryImport(Libc, EntryPoint = "posix_spawnattr_init")]
    public static partial int SpawnAttrInit(void* attributes);

    [LibraryImport(Libc, EntryPoint = "posix_spawnattr_destroy")]
    public static partial int SpawnAttrDestroy(void* attributes);

    [LibraryImport(Libc, EntryPoint = "posix_spawnattr_setflags")]
    public static partial int SpawnAttrSetFlags(void* attributes, short flags);

    [LibraryImport(Libc, EntryPoint = "posix_spawnattr_setsigmask")]
    public static partial int SpawnAttrSetSigMask(void* attributes, void* sigset);

    [LibraryImport(Libc, EntryPoint = "posix_spawnattr_setsigdefault")]
    public static partial int SpawnAttrSetSigDefault(void* attributes, void* sigset);

    [LibraryImport(Libc, EntryPoint = "sigemptyset")]
    public static partial int SigEmptySet(void* sigset);

    [LibraryImport(Libc, EntryPoint = "sigfillset")]
    public static partial int SigFillSet(void* sigset);

    [LibraryImport(Libc, EntryPoint = "sigdelset")]
    public static partial int SigDelSet(void* sigset, int signal);

    public static int PidfdOpen(int pid) => (int)Syscall(PidfdOpenSyscall, (nuint)pid, 0, 0);

    /// <summary>pidfd_open has the same number on x86-64 and arm64 (the generic table).</summary>
    private const long PidfdOpenSyscall = 434;

    public static int LastError => Marshal.GetLastPInvokeError();

    /// <summary>Writes all of <paramref name="bytes"/>, retrying short writes; false on an error.</summary>
    public static bool WriteAll(int fd, ReadOnlySpan<byte> bytes)
    {
        fixed (byte* pointer = bytes)
        {
            var done = 0;
            while (done < bytes.Length)
            {
                var n = WriteSome(fd, pointer + done, (nuint)(bytes.Length - done));
                if (n < 0 && LastError == EINTR)
                {
                    continue;
                }

                if (n <= 0)
                {
                    return false;
                }

                done += (int)n;
            }
        }

        return true;
    }
}
