using static Aisbx.Sandbox.Interop.Interop;

namespace Aisbx.Sandbox.Rootfs;

/// <summary>
/// Makes a freshly built tree ready to mount, whatever built it: set-id bits cleared and device nodes, FIFOs and
/// sockets removed (the mounts are nosuid and nodev anyway: this is the second layer), and the files the sandbox
/// mounts over (/etc/passwd, /etc/group, /etc/gitconfig, /etc/resolv.conf) present. Never follows a symlink.
/// </summary>
internal static class TreeFinisher
{
    private const int SetId = 0xC00; // S_ISUID | S_ISGID
    private static readonly string[] MountedOver = ["passwd", "group", "gitconfig", "resolv.conf"];

    /// <param name="walk">
    /// False for an image's tree: the build uid owns it and its check (<c>aisbx-launch --extract --check</c>, as that
    /// uid, descriptor by descriptor) already neutralised it; a walk by path as root over a tree another uid can write
    /// could be led out of it by a swapped directory.
    /// </param>
    /// <returns>The tree's size in bytes (0 when not walked), and one line per thing neutralised (at most 50; the count says the rest).</returns>
    public static (long Bytes, IReadOnlyList<string> Neutralised) Finish(string tree, bool walk = true)
    {
        var notes = new List<string>();
        var neutralised = 0;
        long bytes = 0;
        var pending = new Stack<string>();
        if (walk)
        {
            pending.Push(tree);
        }

        while (pending.Count > 0)
        {
            var directory = pending.Pop();
            foreach (var entry in Directory.EnumerateFileSystemEntries(directory))
            {
                if (Host.FileStatus.OfLink(entry) is not { } status)
                {
                    continue;
                }

                var type = status.Mode & S_IFMT;
                if (type == S_IFDIR)
                {
                    pending.Push(entry);
                }
                else if (type == S_IFREG)
                {
                    bytes += (long)status.Size;
                    if ((status.Mode & SetId) != 0)
                    {
                        File.SetUnixFileMode(entry, (UnixFileMode)(status.Mode & 0x1FF & ~SetId));
                        Note($"{Path.GetRelativePath(tree, entry)}: set-id bit cleared");
                    }
                }
                else if (type != S_IFLNK)
                {
                    File.Delete(entry);
                    Note($"{Path.GetRelativePath(tree, entry)}: device node, FIFO or socket removed");
                }
            }
        }

        var etc = Path.Combine(tree, "etc");
        if (Host.FileStatus.OfLink(etc) is { IsDirectory: false })
        {
            throw new BuildFailedException("the tree's /etc is not a directory: a tree needs a real /etc");
        }

        Directory.CreateDirectory(etc);
        foreach (var name in MountedOver)
        {
            var path = Path.Combine(etc, name);
            if (Host.FileStatus.OfLink(path) is { IsRegularFile: true })
            {
                continue;
            }

            if (Host.FileStatus.OfLink(path) is not null)
            {
                File.Delete(path); // A symlink or directory here would redirect the sandbox's bind mount.
            }

            File.WriteAllBytes(path, []);
        }

        if (neutralised > 50)
        {
            notes.Add($"... and {neutralised - 50} more");
        }

        return (bytes, notes);

        void Note(string line)
        {
            if (++neutralised <= 50)
            {
                notes.Add(line);
            }
        }
    }
}
