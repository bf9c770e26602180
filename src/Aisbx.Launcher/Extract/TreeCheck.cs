using System.Runtime.InteropServices;
using System.Text;
using static Aisbx.Launcher.Extract.ExtractNative;

namespace Aisbx.Launcher.Extract;

/// <summary>
/// Applies the archive rules to a tree another tool unpacked (umoci): device nodes, FIFOs and sockets are removed,
/// set-id bits cleared, and a symlink that climbs out, a hard link shared with a file outside, or a total over the
/// cap refuses the tree. Every step is relative to an open directory and follows no link.
/// </summary>
internal sealed unsafe class TreeCheck(long maxBytes)
{
    private const int MaxDepth = 400;
    private const int SetIdBits = S_ISUID | S_ISGID;
    private const int OwnerAll = 0b111_000_000;

    private readonly Dictionary<ulong, (uint Links, int Seen, string Path)> _linked = [];
    private readonly byte[] _buffer = new byte[64 * 1024];
    private long _total;

    /// <returns>The bytes of the tree's files (a hard-linked file once).</returns>
    public long Check(int rootFd)
    {
        Walk(rootFd, "", 0);
        foreach (var (_, (links, seen, path)) in _linked)
        {
            if (seen < links)
            {
                throw new ExtractRefusedException($"'{EntryNames.Printable(path)}' is hard-linked to a file outside the tree: refused");
            }
        }

        return _total;
    }

    private void Walk(int dirFd, string prefix, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new ExtractRefusedException($"'{EntryNames.Printable(prefix)}' is nested more than {MaxDepth} directories deep: refused");
        }

        foreach (var raw in Names(dirFd))
        {
            var name = new EntryName(raw);
            var path = prefix + name.Text;
            if (!name.TryStatus(dirFd, out var status))
            {
                throw new IOException($"cannot read the status of '{EntryNames.Printable(path)}' (errno {Errno})");
            }

            var mode = status.Mode & 0b111_111_111_111;
            switch (status.Type)
            {
                case S_IFDIR:
                    var kept = ClearSetId(dirFd, name, path, mode);
                    Descend(dirFd, name, path, kept, depth);
                    break;
                case S_IFREG:
                    ClearSetId(dirFd, name, path, mode);
                    Count(status, path);
                    break;
                case S_IFLNK:
                    CheckSymlink(dirFd, name, path, depth);
                    break;
                default:
                    if (name.Unlink(dirFd) != 0)
                    {
                        throw new IOException($"cannot remove '{EntryNames.Printable(path)}' (errno {Errno})");
                    }

                    ExtractOutput.Neutralised(path, status.Type switch
                    {
                        S_IFCHR => "character device removed",
                        S_IFBLK => "block device removed",
                        S_IFIFO => "FIFO removed",
                        _ => "socket removed",
                    });
                    break;
            }
        }
    }

    private static int ClearSetId(int dirFd, EntryName name, string path, int mode)
    {
        if ((mode & SetIdBits) == 0)
        {
            return mode;
        }

        var kept = mode & ~SetIdBits;
        if (name.Chmod(dirFd, kept) != 0)
        {
            throw new IOException($"cannot clear the set-id bits of '{EntryNames.Printable(path)}' (errno {Errno})");
        }

        ExtractOutput.Neutralised(path, (mode & SetIdBits) switch
        {
            S_ISUID => "setuid bit cleared",
            S_ISGID => "setgid bit cleared",
            _ => "setuid and setgid bits cleared",
        });
        return kept;
    }

    private void Count(in Statx status, string path)
    {
        _total += (long)status.Size;
        if (status.Nlink > 1)
        {
            if (_linked.TryGetValue(status.Inode, out var known))
            {
                _total -= (long)status.Size;
                _linked[status.Inode] = known with { Seen = known.Seen + 1 };
            }
            else
            {
                _linked[status.Inode] = (status.Nlink, 1, path);
            }
        }

        if (_total > maxBytes)
        {
            throw new ExtractRefusedException($"the image unpacks to more than the cap of {SizeText.Format(maxBytes)} (at '{EntryNames.Printable(path)}'): refused; raise [rootfs] max_image_size in config.toml");
        }
    }

    private static void CheckSymlink(int dirFd, EntryName name, string path, int depth)
    {
        var text = name.ReadLink(dirFd) ?? throw new IOException($"cannot read symlink '{EntryNames.Printable(path)}' (errno {Errno})");
        if (!EntryNames.StaysInside(depth, text))
        {
            throw new ExtractRefusedException($"symlink '{EntryNames.Printable(path)}' points out of the tree ('{EntryNames.Printable(text)}'): refused (a relative link may not climb above the tree's root)");
        }
    }

    /// <summary>Enters a directory (opening it for its owner while inside, when its mode would not let the walk in).</summary>
    private void Descend(int dirFd, EntryName name, string path, int mode, int depth)
    {
        var opened = (mode & OwnerAll) != OwnerAll;
        if (opened && name.Chmod(dirFd, mode | OwnerAll) != 0)
        {
            throw new IOException($"cannot enter '{EntryNames.Printable(path)}' (errno {Errno})");
        }

        var child = name.OpenDirectory(dirFd);
        if (child < 0)
        {
            throw new IOException($"cannot open '{EntryNames.Printable(path)}' (errno {Errno})");
        }

        try
        {
            Walk(child, path + "/", depth + 1);
        }
        finally
        {
            _ = Close(child);
            if (opened)
            {
                _ = name.Chmod(dirFd, mode);
            }
        }
    }

    /// <summary>Every name in the directory but "." and "..", read before any is acted on.</summary>
    private List<byte[]> Names(int dirFd)
    {
        var names = new List<byte[]>();
        fixed (byte* start = _buffer)
        {
            while (true)
            {
                var read = Getdents64(dirFd, start, (nuint)_buffer.Length);
                if (read < 0 && Errno == EINTR)
                {
                    continue;
                }

                if (read < 0)
                {
                    throw new IOException($"cannot list a directory of the tree (errno {Errno})");
                }

                if (read == 0)
                {
                    return names;
                }

                for (var offset = 0; offset < read;)
                {
                    var record = new ReadOnlySpan<byte>(start + offset, (int)read - offset);
                    var length = MemoryMarshal.Read<ushort>(record[16..]);
                    var name = record[19..length];
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
}
