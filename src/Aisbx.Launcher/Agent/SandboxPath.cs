namespace Aisbx.Launcher;

/// <summary>
/// Walks a path under <c>/workspace</c> or <c>/tmp</c> one component at a time, relative to the directory before it,
/// and never through a symlink: a link the program planted cannot lead a file operation anywhere else. aisbx checks
/// the path's shape first; the agent checks it again.
/// </summary>
internal static unsafe class SandboxPath
{
    private static readonly string[] Roots = ["/workspace", "/tmp"];

    /// <summary>Splits a path into its root and components; false for any other shape (empty, '.', '..', '//').</summary>
    public static bool TrySplit(string path, out string root, out string[] components)
    {
        root = "";
        components = [];
        foreach (var candidate in Roots)
        {
            if (path == candidate || path.StartsWith(candidate + "/", StringComparison.Ordinal))
            {
                root = candidate;
                components = path.Length == candidate.Length ? [] : path[(candidate.Length + 1)..].Split('/');
                return path.Length < 4096 && components.All(c => c.Length is > 0 and < 256 && c is not ("." or ".."));
            }
        }

        return false;
    }

    /// <summary>Opens the directory that holds the path's last component (or the path itself, when it is a root).</summary>
    /// <returns>An O_PATH descriptor, or -1 with <paramref name="error"/>: ELOOP for a symlink on the way.</returns>
    public static int OpenDirectory(string root, ReadOnlySpan<string> components, bool createMissing, out int error)
    {
        error = 0;
        int fd;
        using (var strings = new NativeStrings())
        {
            fd = Native.OpenAt(-100, strings.Utf8(root), Native.O_PATH | Native.O_DIRECTORY | Native.O_CLOEXEC, 0);
        }

        if (fd < 0)
        {
            error = Native.LastError;
            return -1;
        }

        foreach (var component in components)
        {
            var next = Step(fd, component, createMissing, out error);
            Native.Close(fd);
            if (next < 0)
            {
                return -1;
            }

            fd = next;
        }

        return fd;
    }

    /// <summary>Opens <paramref name="name"/> in <paramref name="directory"/> with <paramref name="flags"/>, never following a symlink.</summary>
    public static int OpenIn(int directory, string name, int flags, uint mode, out int error)
    {
        using var strings = new NativeStrings();
        var fd = Native.OpenAt(directory, strings.Utf8(name), flags | Native.O_NOFOLLOW | Native.O_CLOEXEC, mode);
        error = fd < 0 ? Native.LastError : 0;
        if (fd < 0 && error == Native.ENOTDIR && IsSymlink(directory, name))
        {
            error = Native.ELOOP;
        }

        return fd;
    }

    public static bool IsSymlink(int directory, string name)
    {
        using var strings = new NativeStrings();
        Native.Statx status;
        return Native.StatX(directory, strings.Utf8(name), Native.AT_SYMLINK_NOFOLLOW, 0x7ff, &status) == 0 && (status.Mode & 0xF000) == 0xA000;
    }

    private static int Step(int directory, string component, bool createMissing, out int error)
    {
        var fd = OpenIn(directory, component, Native.O_PATH | Native.O_DIRECTORY, 0, out error);
        if (fd < 0 && error == Native.ENOENT && createMissing)
        {
            using (var strings = new NativeStrings())
            {
                if (Native.MkdirAt(directory, strings.Utf8(component), 0x1ED) != 0 && Native.LastError != Native.EEXIST) // 0755
                {
                    error = Native.LastError;
                    return -1;
                }
            }

            fd = OpenIn(directory, component, Native.O_PATH | Native.O_DIRECTORY, 0, out error);
        }

        return fd;
    }
}
