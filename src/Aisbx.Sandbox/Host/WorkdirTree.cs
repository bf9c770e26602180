using System.ComponentModel;
using System.Runtime.InteropServices;
using static Aisbx.Sandbox.Interop.Interop;

namespace Aisbx.Sandbox.Host;

/// <summary>
/// Walks the tree below a workdir descriptor without following a symlink or leaving the workdir's mount. Every step
/// is relative to an open directory (openat with O_NOFOLLOW, statx with AT_SYMLINK_NOFOLLOW), names stay raw bytes
/// (a Linux name need not be UTF-8), and the stack lives on the heap with only the current directory open: going
/// back up through ".." is checked against the inode it came from. So a tree the program made arbitrarily deep,
/// wide or oddly named is walked whole, and a planted symlink or mount never leads the walk outside.
/// </summary>
internal static unsafe class WorkdirTree
{
    /// <summary>Called once for each entry below the root on the root's mount (never the root itself), before a directory is entered.</summary>
    public delegate void Visitor(int parentFd, byte[] name, in Statx status);

    private const uint Wanted = STATX_BASIC_STATS | STATX_MNT_ID;
    private const int ReadBufferBytes = 64 * 1024;

    private static readonly byte[] Dot = [(byte)'.', 0];
    private static readonly byte[] DotDot = [(byte)'.', (byte)'.', 0];
    private static readonly byte[] Empty = [0];

    /// <exception cref="IOException">A directory could not be read, or the tree changed while it was walked.</exception>
    public static void Walk(int rootFd, Visitor visit)
    {
        var buffer = new byte[ReadBufferBytes];
        var current = OpenDirectory(rootFd, Dot);
        if (current < 0)
        {
            throw Failure("cannot open the workdir for reading");
        }

        try
        {
            var root = Status(current);
            if ((root.Mask & STATX_MNT_ID) == 0)
            {
                throw new IOException("this kernel does not report mount ids (statx STATX_MNT_ID, Linux 5.8+)");
            }

            var frames = new Stack<Frame>();
            frames.Push(new Frame(root.Inode, VisitEntries(current, root.MountId, buffer, visit)));
            while (true)
            {
                var frame = frames.Peek();
                if (frame.Next < frame.Subdirectories.Count)
                {
                    var (name, inode) = frame.Subdirectories[frame.Next++];
                    var child = OpenDirectory(current, name);
                    if (child < 0)
                    {
                        continue; // Gone, or replaced by something that is not a directory, since it was listed.
                    }

                    var status = Status(child);
                    if (status.Inode != inode || status.MountId != root.MountId)
                    {
                        _ = Close(child);
                        continue;
                    }

                    _ = Close(current);
                    current = child;
                    frames.Push(new Frame(inode, VisitEntries(current, root.MountId, buffer, visit)));
                    continue;
                }

                frames.Pop();
                if (frames.Count == 0)
                {
                    return;
                }

                var parent = OpenDirectory(current, DotDot);
                if (parent < 0)
                {
                    throw Failure("cannot go back up the workdir tree");
                }

                var parentStatus = Status(parent);
                _ = Close(current);
                current = parent;
                if (parentStatus.Inode != frames.Peek().Inode || parentStatus.MountId != root.MountId)
                {
                    throw new IOException("the workdir's directories were moved while they were walked");
                }
            }
        }
        finally
        {
            _ = Close(current);
        }
    }

    /// <summary>The status of <paramref name="name"/> in <paramref name="dirFd"/>, not following a symlink.</summary>
    public static bool TryStatus(int dirFd, byte[] name, out Statx status)
    {
        fixed (byte* path = name)
        {
            return StatxCall(dirFd, path, AT_SYMLINK_NOFOLLOW, Wanted, out status) == 0;
        }
    }

    private static List<(byte[] Name, ulong Inode)> VisitEntries(int dirFd, ulong mountId, byte[] buffer, Visitor visit)
    {
        var subdirectories = new List<(byte[], ulong)>();
        foreach (var name in ReadNames(dirFd, buffer))
        {
            if (!TryStatus(dirFd, name, out var status) || status.MountId != mountId)
            {
                continue; // Removed since it was listed, or the root of another mount: not the workdir's.
            }

            visit(dirFd, name, status);
            if (status.IsDirectory)
            {
                subdirectories.Add((name, status.Inode));
            }
        }

        return subdirectories;
    }

    /// <summary>Every name in the directory but "." and "..", each NUL-terminated, read before any is acted on.</summary>
    private static List<byte[]> ReadNames(int dirFd, byte[] buffer)
    {
        var names = new List<byte[]>();
        fixed (byte* start = buffer)
        {
            while (true)
            {
                var read = Getdents64(dirFd, start, (nuint)buffer.Length);
                if (read < 0)
                {
                    if (Marshal.GetLastPInvokeError() == EINTR)
                    {
                        continue;
                    }

                    throw Failure("cannot list a directory of the workdir");
                }

                if (read == 0)
                {
                    return names;
                }

                for (var offset = 0; offset < read;)
                {
                    var record = new ReadOnlySpan<byte>(start + offset, (int)read - offset);
                    var length = MemoryMarshal.Read<ushort>(record[DirentReclenOffset..]);
                    var name = record[DirentNameOffset..length];
                    name = name[..name.IndexOf((byte)0)];
                    if (!name.SequenceEqual("."u8) && !name.SequenceEqual(".."u8))
                    {
                        var copy = new byte[name.Length + 1];
                        name.CopyTo(copy);
                        names.Add(copy);
                    }

                    offset += length;
                }
            }
        }
    }

    private static int OpenDirectory(int dirFd, byte[] name)
    {
        fixed (byte* path = name)
        {
            return Openat(dirFd, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0);
        }
    }

    private static Statx Status(int fd)
    {
        fixed (byte* empty = Empty)
        {
            return StatxCall(fd, empty, AT_EMPTY_PATH, Wanted, out var status) == 0
                ? status
                : throw Failure("cannot read the status of a workdir directory");
        }
    }

    private static IOException Failure(string what) =>
        new($"{what}: {new Win32Exception(Marshal.GetLastPInvokeError()).Message}");

    private sealed class Frame(ulong inode, List<(byte[] Name, ulong Inode)> subdirectories)
    {
        public ulong Inode { get; } = inode;

        public List<(byte[] Name, ulong Inode)> Subdirectories { get; } = subdirectories;

        public int Next { get; set; }
    }
}
