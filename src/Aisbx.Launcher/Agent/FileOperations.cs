using System.Buffers.Binary;
using System.Text;

namespace Aisbx.Launcher;

/// <summary>
/// Writes, reads, lists and removes files for aisbx, inside the sandbox and with the program's own rights, so that
/// the worst a planted link or a swapped directory can do is what the program itself could: every path is walked
/// by <see cref="SandboxPath"/>, and only regular files are read or written.
/// </summary>
internal static unsafe class FileOperations
{
    private const int MaxDepth = 128;
    private const uint S_IFMT = 0xF000;
    private const uint S_IFREG = 0x8000;
    private const uint S_IFDIR = 0x4000;
    private const uint S_IFLNK = 0xA000;

    /// <returns>errno (0 when done), and in <paramref name="bytes"/> what the operation counted.</returns>
    public static int Run(int operation, int requestFd, int replyFd, out ulong bytes, out ulong flags)
    {
        bytes = 0;
        flags = 0;
        if (FileRequest.Read(requestFd) is not { } request || !SandboxPath.TrySplit(request.Path, out var root, out var components))
        {
            return Native.EINVAL;
        }

        var isRoot = components.Length == 0;
        var parent = SandboxPath.OpenDirectory(root, isRoot ? [] : components.AsSpan(0, components.Length - 1), operation == AgentMessage.FileWrite && request.CreateParents, out var error);
        if (parent < 0)
        {
            return error;
        }

        try
        {
            var leaf = isRoot ? "." : components[^1];
            return operation switch
            {
                AgentMessage.FileWrite when !isRoot => Write(parent, leaf, request, requestFd, out bytes),
                AgentMessage.FileRead when !isRoot => Read(parent, leaf, request.Limit, replyFd, out bytes),
                AgentMessage.FileList => List(parent, leaf, request.Limit, replyFd, out bytes, out flags),
                AgentMessage.FileRemove when !isRoot => Remove(parent, leaf, 0),
                _ => Native.EINVAL,
            };
        }
        finally
        {
            Native.Close(parent);
        }
    }

    private static int Write(int parent, string leaf, FileRequest request, int requestFd, out ulong bytes)
    {
        bytes = 0;
        var fd = SandboxPath.OpenIn(parent, leaf, Native.O_WRONLY | Native.O_CREAT | Native.O_TRUNC | Native.O_NONBLOCK, request.Mode, out var error);
        if (fd < 0)
        {
            return error;
        }

        try
        {
            if (Kind(fd) != S_IFREG)
            {
                return Native.EINVAL;
            }

            _ = Native.FChmod(fd, request.Mode);
            var buffer = new byte[64 * 1024];
            long offset = request.ContentOffset;
            fixed (byte* pointer = buffer)
            {
                while (true)
                {
                    var read = Native.PRead(requestFd, pointer, (nuint)buffer.Length, offset);
                    if (read < 0 && Native.LastError == Native.EINTR)
                    {
                        continue;
                    }

                    if (read <= 0)
                    {
                        return read < 0 ? Native.LastError : 0;
                    }

                    if (!Native.WriteAll(fd, buffer.AsSpan(0, (int)read)))
                    {
                        return Native.LastError;
                    }

                    offset += read;
                    bytes += (ulong)read;
                }
            }
        }
        finally
        {
            Native.Close(fd);
        }
    }

    private static int Read(int parent, string leaf, ulong limit, int replyFd, out ulong size)
    {
        size = 0;
        var fd = SandboxPath.OpenIn(parent, leaf, Native.O_RDONLY | Native.O_NONBLOCK, 0, out var error);
        if (fd < 0)
        {
            return error;
        }

        try
        {
            var kind = Kind(fd, out size);
            if (kind == S_IFDIR)
            {
                return Native.EISDIR;
            }

            if (kind != S_IFREG)
            {
                return Native.EINVAL;
            }

            if (size > limit)
            {
                return Native.EFBIG;
            }

            var buffer = new byte[64 * 1024];
            ulong copied = 0;
            fixed (byte* pointer = buffer)
            {
                while (copied <= limit)
                {
                    var read = Native.Read(fd, pointer, (nuint)buffer.Length);
                    if (read < 0 && Native.LastError == Native.EINTR)
                    {
                        continue;
                    }

                    if (read <= 0)
                    {
                        break;
                    }

                    if (!Native.WriteAll(replyFd, buffer.AsSpan(0, (int)read)))
                    {
                        return Native.LastError;
                    }

                    copied += (ulong)read;
                }
            }

            // The file may have grown while it was read; what was copied is what aisbx gets (and checks).
            size = copied;
            return copied > limit ? Native.EFBIG : 0;
        }
        finally
        {
            Native.Close(fd);
        }
    }

    /// <summary>Each entry: <c>u8 type</c> (f, d, l, o), <c>u64 size</c>, <c>i64 mtime</c> in ms, <c>u16 length</c>, the name.</summary>
    private static int List(int parent, string leaf, ulong limit, int replyFd, out ulong count, out ulong flags)
    {
        count = 0;
        flags = 0;
        var error = OpenDirectoryStream(parent, leaf, out var fd, out var directory);
        if (error != 0)
        {
            return error;
        }

        try
        {
            var output = new List<byte>(4096);
            Span<byte> record = stackalloc byte[19];
            nint entry;
            while ((entry = Native.ReadDir(directory)) != 0)
            {
                var name = EntryName(entry);
                if (name is "." or "..")
                {
                    continue;
                }

                if (count == limit)
                {
                    flags = AgentMessage.ListingTruncated;
                    break;
                }

                using var strings = new NativeStrings();
                Native.Statx status;
                if (Native.StatX(fd, strings.Utf8(name), Native.AT_SYMLINK_NOFOLLOW, 0x7ff, &status) != 0)
                {
                    continue; // Gone since it was listed.
                }

                var type = (status.Mode & S_IFMT) switch { S_IFREG => (byte)'f', S_IFDIR => (byte)'d', S_IFLNK => (byte)'l', _ => (byte)'o' };
                var nameBytes = Encoding.UTF8.GetBytes(name);
                record[0] = type;
                BinaryPrimitives.WriteUInt64LittleEndian(record[1..], status.Size);
                BinaryPrimitives.WriteInt64LittleEndian(record[9..], (status.ModifySeconds * 1000) + (status.ModifyNanos / 1_000_000));
                BinaryPrimitives.WriteUInt16LittleEndian(record[17..], (ushort)nameBytes.Length);
                output.AddRange(record);
                output.AddRange(nameBytes);
                count++;
            }

            return Native.WriteAll(replyFd, output.ToArray()) ? 0 : Native.LastError;
        }
        finally
        {
            _ = Native.CloseDir(directory);
        }
    }

    /// <summary>Removes a file, a link (never what it points to), or a directory with everything in it.</summary>
    private static int Remove(int parent, string leaf, int depth)
    {
        using var strings = new NativeStrings();
        var name = strings.Utf8(leaf);
        if (Native.UnlinkAt(parent, name, 0) == 0)
        {
            return 0;
        }

        var error = Native.LastError;
        if (error != Native.EISDIR)
        {
            return error;
        }

        if (depth >= MaxDepth)
        {
            return Native.ELOOP;
        }

        error = OpenDirectoryStream(parent, leaf, out var fd, out var directory);
        if (error != 0)
        {
            return error;
        }

        try
        {
            nint entry;
            List<string> names = [];
            while ((entry = Native.ReadDir(directory)) != 0)
            {
                if (EntryName(entry) is var child and not ("." or ".."))
                {
                    names.Add(child);
                }
            }

            foreach (var child in names)
            {
                if (Remove(fd, child, depth + 1) is var childError and not 0)
                {
                    return childError;
                }
            }
        }
        finally
        {
            _ = Native.CloseDir(directory);
        }

        return Native.UnlinkAt(parent, name, Native.AT_REMOVEDIR) == 0 ? 0 : Native.LastError;
    }

    /// <summary>A directory opened without following a link, as a stream of entries (closing the stream closes its descriptor).</summary>
    private static int OpenDirectoryStream(int parent, string leaf, out int fd, out nint directory)
    {
        directory = 0;
        fd = SandboxPath.OpenIn(parent, leaf, Native.O_RDONLY | Native.O_DIRECTORY, 0, out var error);
        if (fd < 0)
        {
            return error;
        }

        directory = Native.FdOpenDir(fd);
        if (directory == 0)
        {
            error = Native.LastError;
            Native.Close(fd);
            return error;
        }

        return 0;
    }

    private static uint Kind(int fd) => Kind(fd, out _);

    private static uint Kind(int fd, out ulong size)
    {
        using var strings = new NativeStrings();
        Native.Statx status;
        if (Native.StatX(fd, strings.Utf8(""), Native.AT_EMPTY_PATH, 0x7ff, &status) != 0)
        {
            size = 0;
            return 0;
        }

        size = status.Size;
        return status.Mode & S_IFMT;
    }

    /// <summary>d_name of a struct dirent64 (after d_ino, d_off, d_reclen and d_type).</summary>
    private static string EntryName(nint entry) => System.Runtime.InteropServices.Marshal.PtrToStringUTF8(entry + 19) ?? "";
}
