using static Aisbx.Launcher.Extract.ExtractNative;

namespace Aisbx.Launcher.Extract;

/// <summary>
/// Opens directories of the tree one component at a time from the tree's own descriptor, never following a symlink:
/// a name that goes through a link or a file is refused, so nothing is ever written outside the tree.
/// </summary>
internal sealed class TreeDirectories(int rootFd)
{
    /// <summary>Directories made on the way (an archive need not list its parents); their modes are set at the end.</summary>
    public List<string> Created { get; } = [];

    /// <summary>A descriptor of the directory <paramref name="parts"/> names (the caller closes it), made if missing.</summary>
    public int Open(string entry, ReadOnlySpan<string> parts)
    {
        var current = Openat(rootFd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
        if (current < 0)
        {
            throw new IOException($"cannot open the tree (errno {Errno})");
        }

        for (var i = 0; i < parts.Length; i++)
        {
            var next = Openat(current, parts[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0);
            if (next < 0 && Errno == ENOENT)
            {
                if (Mkdirat(current, parts[i], 0b111_000_000) != 0 && Errno != EEXIST)
                {
                    var error = Errno;
                    _ = Close(current);
                    throw new IOException($"cannot make directory '{EntryNames.Printable(string.Join('/', parts[..(i + 1)].ToArray()))}' (errno {error})");
                }

                Created.Add(string.Join('/', parts[..(i + 1)].ToArray()));
                next = Openat(current, parts[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0);
            }

            if (next < 0)
            {
                var error = Errno;
                _ = Close(current);
                var through = EntryNames.Printable(string.Join('/', parts[..(i + 1)].ToArray()));
                throw error is ELOOP or ENOTDIR
                    ? new ExtractRefusedException($"entry '{EntryNames.Printable(entry)}' goes through '{through}', which is a symlink or not a directory: refused (an archive may not write through a link)")
                    : new IOException($"cannot open directory '{through}' (errno {error})");
            }

            _ = Close(current);
            current = next;
        }

        return current;
    }
}
