using System.Runtime.InteropServices;

namespace Aisbx.Launcher;

/// <summary>The few libc calls the launcher makes.</summary>
internal static unsafe partial class Native
{
    private const string Libc = "libc";

    [StructLayout(LayoutKind.Sequential)]
    public struct IoVec
    {
        public byte* Base;
        public nuint Length;
    }

    /// <summary>struct msghdr (64-bit layout).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct MsgHdr
    {
        public void* Name;
        public uint NameLength;
        public IoVec* Iov;
        public nuint IovLength;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    /// <summary>struct cmsghdr; its data follows, aligned to 8 bytes.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct CmsgHdr
    {
        public nuint Length;
        public int Level;
        public int Type;
    }

    public static int CmsgLengthForOneFd => sizeof(CmsgHdr) + sizeof(int);

    public static int CmsgSpaceForOneFd => sizeof(CmsgHdr) + 8;

    [LibraryImport(Libc, EntryPoint = "prctl", SetLastError = true)]
    public static partial int Prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    [LibraryImport(Libc, EntryPoint = "syscall", SetLastError = true)]
    public static partial long Syscall(long number, nuint arg1, nuint arg2, nint arg3);

    [LibraryImport(Libc, EntryPoint = "sendmsg", SetLastError = true)]
    public static partial nint SendMsg(int socket, MsgHdr* message, int flags);

    [LibraryImport(Libc, EntryPoint = "execve", SetLastError = true)]
    public static partial int Execve(byte* path, byte** argv, byte** envp);

    [LibraryImport(Libc, EntryPoint = "pread", SetLastError = true)]
    private static partial nint Pread(int fd, byte* buffer, nuint count, long offset);

    [LibraryImport(Libc, EntryPoint = "write", SetLastError = true)]
    private static partial nint WriteRaw(int fd, byte* buffer, nuint count);

    [LibraryImport(Libc, EntryPoint = "close")]
    private static partial int CloseRaw(int fd);

    public static void Close(int fd) => _ = CloseRaw(fd);

    public static void Write(int fd, ReadOnlySpan<byte> bytes)
    {
        fixed (byte* pointer = bytes)
        {
            _ = WriteRaw(fd, pointer, (nuint)bytes.Length);
        }
    }

    /// <summary>The whole content of a file descriptor from offset 0; null when it cannot be read.</summary>
    public static byte[]? ReadAll(int fd)
    {
        var buffer = new byte[64 * 1024];
        long total = 0;
        while (true)
        {
            if (total == buffer.Length)
            {
                Array.Resize(ref buffer, buffer.Length * 2);
            }

            nint read;
            fixed (byte* pointer = buffer)
            {
                read = Pread(fd, pointer + total, (nuint)(buffer.Length - total), total);
            }

            if (read < 0)
            {
                return null;
            }

            if (read == 0)
            {
                return buffer[..(int)total];
            }

            total += read;
        }
    }
}
