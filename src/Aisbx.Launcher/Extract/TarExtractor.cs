using System.Formats.Tar;
using Microsoft.Win32.SafeHandles;
using static Aisbx.Launcher.Extract.ExtractNative;

namespace Aisbx.Launcher.Extract;

/// <summary>
/// Unpacks a flat root-filesystem tarball into the tree, entry by entry, under the rules of an untrusted archive:
/// names stay inside (<see cref="EntryNames"/>), no write goes through a link (<see cref="TreeDirectories"/>),
/// symlinks and hard links may not point out, device nodes and FIFOs are skipped, set-id bits are cleared, and the
/// whole is capped. Everything is owned by the uid this runs as; modes are kept minus the set-id bits.
/// </summary>
internal sealed class TarExtractor(int rootFd, long maxBytes)
{
    /// <summary>What an entry costs besides its data, so that millions of empty entries also reach the cap.</summary>
    private const long EntryOverhead = 512;
    private const int SetIdBits = S_ISUID | S_ISGID;
    private const int OwnerAll = 0b111_000_000;

    private readonly TreeDirectories _directories = new(rootFd);
    private readonly Dictionary<string, int> _directoryModes = new(StringComparer.Ordinal);
    private readonly HashSet<string> _linkable = new(StringComparer.Ordinal);
    private long _total;

    /// <returns>The bytes unpacked.</returns>
    public long Extract(Stream archive)
    {
        using var reader = new TarReader(archive);
        var entries = 0;
        while (NextEntry(reader) is { } entry)
        {
            entries++;
            if (entry.EntryType is TarEntryType.GlobalExtendedAttributes)
            {
                continue; // pax defaults for the entries after it, which TarReader applies; not a file.
            }

            var parts = EntryNames.Parse(entry.Name);
            Charge(entry.Name, EntryOverhead + (entry.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile ? entry.Length : 0));
            if (parts.Length == 0)
            {
                continue; // The archive's "./": the tree itself, whose owner and mode aisbx chose.
            }

            var path = string.Join('/', parts);
            var parent = _directories.Open(entry.Name, parts.AsSpan(0, parts.Length - 1));
            try
            {
                Place(entry, parts, path, parent);
            }
            finally
            {
                _ = Close(parent);
            }
        }

        if (entries == 0)
        {
            throw new ExtractRefusedException("the archive has no entries: refused (is it a tar file of a root filesystem?)");
        }

        foreach (var created in _directories.Created)
        {
            _directoryModes.TryAdd(created, 0b111_101_101);
        }

        ApplyDirectoryModes();
        return _total;
    }

    private static TarEntry? NextEntry(TarReader reader)
    {
        try
        {
            return reader.GetNextEntry();
        }
        catch (Exception ex) when (ex is InvalidDataException or FormatException or EndOfStreamException or ArgumentException)
        {
            throw new ExtractRefusedException($"the archive is not a readable tar (or gzip tar) file: {ex.Message}");
        }
    }

    private void Charge(string name, long bytes)
    {
        _total += bytes;
        if (_total > maxBytes)
        {
            throw new ExtractRefusedException($"the image unpacks to more than the cap of {SizeText.Format(maxBytes)} (at entry '{EntryNames.Printable(name)}'): refused; raise [rootfs] max_image_size in config.toml");
        }
    }

    private void Place(TarEntry entry, string[] parts, string path, int parent)
    {
        var name = parts[^1];
        var mode = (int)entry.Mode & 0b111_111_111_111;
        if ((mode & SetIdBits) != 0 && entry.EntryType is not (TarEntryType.SymbolicLink or TarEntryType.HardLink))
        {
            ExtractOutput.Neutralised(path, SetIdText(mode));
            mode &= ~SetIdBits;
        }

        switch (entry.EntryType)
        {
            case TarEntryType.Directory:
                MakeDirectory(parent, name, path);
                _directoryModes[path] = mode;
                break;
            case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                WriteFile(entry, parent, name, path, mode);
                _linkable.Add(path);
                break;
            case TarEntryType.SymbolicLink:
                MakeSymlink(entry, parts, parent, name, path);
                _linkable.Add(path);
                break;
            case TarEntryType.HardLink:
                MakeHardLink(entry, parent, name, path);
                _linkable.Add(path);
                break;
            case TarEntryType.CharacterDevice:
                ExtractOutput.Neutralised(path, "character device skipped");
                break;
            case TarEntryType.BlockDevice:
                ExtractOutput.Neutralised(path, "block device skipped");
                break;
            case TarEntryType.Fifo:
                ExtractOutput.Neutralised(path, "FIFO skipped");
                break;
            default:
                ExtractOutput.Neutralised(path, $"{entry.EntryType} entry skipped (not a file, directory or link)");
                break;
        }
    }

    private static string SetIdText(int mode) => (mode & SetIdBits) switch
    {
        S_ISUID => "setuid bit cleared",
        S_ISGID => "setgid bit cleared",
        _ => "setuid and setgid bits cleared",
    };

    private static void MakeDirectory(int parent, string name, string path)
    {
        if (Mkdirat(parent, name, OwnerAll) == 0)
        {
            return;
        }

        if (Errno == EEXIST && TryStatus(parent, name, out var existing))
        {
            if (existing.Type == S_IFDIR)
            {
                return;
            }

            // A file or link of the same name came earlier: a later entry replaces it, as tar does.
            Replace(parent, name, path);
            if (Mkdirat(parent, name, OwnerAll) == 0)
            {
                return;
            }
        }

        throw new IOException($"cannot make directory '{EntryNames.Printable(path)}' (errno {Errno})");
    }

    private static void WriteFile(TarEntry entry, int parent, string name, string path, int mode)
    {
        var fd = Create(parent, name, path);
        using (var output = new FileStream(new SafeFileHandle(fd, ownsHandle: true), FileAccess.Write))
        {
            entry.DataStream?.CopyTo(output);
            output.Flush();
            if (Fchmod(fd, mode) != 0)
            {
                throw new IOException($"cannot set the mode of '{EntryNames.Printable(path)}' (errno {Errno})");
            }
        }
    }

    private static int Create(int parent, string name, string path)
    {
        const int Flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
        var fd = Openat(parent, name, Flags, 0b110_000_000);
        if (fd < 0 && Errno == EEXIST)
        {
            Replace(parent, name, path);
            fd = Openat(parent, name, Flags, 0b110_000_000);
        }

        return fd >= 0 ? fd : throw new IOException($"cannot create '{EntryNames.Printable(path)}' (errno {Errno})");
    }

    private static void MakeSymlink(TarEntry entry, string[] parts, int parent, string name, string path)
    {
        var target = entry.LinkName;
        if (target.Length == 0 || target.Contains('\0', StringComparison.Ordinal))
        {
            throw new ExtractRefusedException($"symlink '{EntryNames.Printable(path)}' has an empty or malformed target: refused");
        }

        if (!EntryNames.StaysInside(parts.Length - 1, target))
        {
            throw new ExtractRefusedException($"symlink '{EntryNames.Printable(path)}' points out of the tree ('{EntryNames.Printable(target)}'): refused (a relative link may not climb above the tree's root)");
        }

        if (Symlinkat(target, parent, name) != 0 && !(Errno == EEXIST && Retry(parent, name, path, () => Symlinkat(target, parent, name))))
        {
            throw new IOException($"cannot make symlink '{EntryNames.Printable(path)}' (errno {Errno})");
        }
    }

    private void MakeHardLink(TarEntry entry, int parent, string name, string path)
    {
        string[] targetParts;
        try
        {
            targetParts = EntryNames.Parse(entry.LinkName);
        }
        catch (ExtractRefusedException)
        {
            throw new ExtractRefusedException($"hard link '{EntryNames.Printable(path)}' points out of the tree ('{EntryNames.Printable(entry.LinkName)}'): refused");
        }

        var target = string.Join('/', targetParts);
        if (!_linkable.Contains(target))
        {
            throw new ExtractRefusedException($"hard link '{EntryNames.Printable(path)}' points to '{EntryNames.Printable(entry.LinkName)}', which is not an earlier file of the archive: refused");
        }

        var targetParent = _directories.Open(entry.LinkName, targetParts.AsSpan(0, targetParts.Length - 1));
        try
        {
            var last = targetParts[^1];
            if (Linkat(targetParent, last, parent, name, 0) != 0 && !(Errno == EEXIST && Retry(parent, name, path, () => Linkat(targetParent, last, parent, name, 0))))
            {
                throw new IOException($"cannot make hard link '{EntryNames.Printable(path)}' (errno {Errno})");
            }
        }
        finally
        {
            _ = Close(targetParent);
        }
    }

    private static bool Retry(int parent, string name, string path, Func<int> make)
    {
        Replace(parent, name, path);
        return make() == 0;
    }

    /// <summary>Removes an earlier entry of the same name; a directory is never replaced by a file or link.</summary>
    private static void Replace(int parent, string name, string path)
    {
        if (Unlinkat(parent, name, 0) != 0)
        {
            throw Errno == EISDIR
                ? new ExtractRefusedException($"entry '{EntryNames.Printable(path)}' would replace a directory with a file or link: refused")
                : new IOException($"cannot replace '{EntryNames.Printable(path)}' (errno {Errno})");
        }
    }

    /// <summary>Directories stay 0700 while entries go in (a read-only one could not be filled); deepest first now.</summary>
    private void ApplyDirectoryModes()
    {
        foreach (var (path, mode) in _directoryModes.OrderByDescending(pair => pair.Key.Count(c => c == '/')))
        {
            var parts = path.Split('/');
            var fd = _directories.Open(path, parts);
            try
            {
                if (Fchmod(fd, mode) != 0)
                {
                    throw new IOException($"cannot set the mode of '{EntryNames.Printable(path)}' (errno {Errno})");
                }
            }
            finally
            {
                _ = Close(fd);
            }
        }
    }
}
