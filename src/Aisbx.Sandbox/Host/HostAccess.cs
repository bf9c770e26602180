using System.ComponentModel;
using System.Globalization;
using Aisbx.Core;
using Aisbx.Sandbox.Bubblewrap;
using static Aisbx.Sandbox.Interop.Interop;

namespace Aisbx.Sandbox.Host;

/// <summary>
/// Lets the unprivileged sandbox uid reach what root asked it to mount, through a POSIX ACL entry for that uid only:
/// search (x) on each directory above a mount that it cannot traverse. Modes and other users' access are left as
/// they are. (The workdir itself is lent to the sandbox by <see cref="WorkdirHandOver"/>, and given back.)
/// </summary>
internal static class HostAccess
{
    private const int Execute = 1;

    /// <summary>Every directory above <paramref name="path"/> becomes traversable by <paramref name="identity"/>.</summary>
    public static void GrantTraverse(string path, HostIdentity identity)
    {
        foreach (var ancestor in Ancestors(path))
        {
            Grant(ancestor, identity);
        }
    }

    /// <summary>Whether <paramref name="identity"/> (no supplementary groups) can traverse every directory above <paramref name="path"/> by their mode bits alone.</summary>
    public static bool CanTraverse(string path, HostIdentity identity) =>
        Ancestors(path).All(ancestor => FileStatus.OfPath(ancestor) is { } status && FileStatus.Allows(status, identity.Uid, identity.Gid, Execute));

    /// <summary>The directories above <paramref name="path"/>, from the root down.</summary>
    private static Stack<string> Ancestors(string path)
    {
        var ancestors = new Stack<string>();
        for (var directory = Path.GetDirectoryName(path); !string.IsNullOrEmpty(directory); directory = Path.GetDirectoryName(directory))
        {
            ancestors.Push(directory);
        }

        return ancestors;
    }

    private static void Grant(string path, HostIdentity identity)
    {
        if (FileStatus.OfPath(path) is not { } status || FileStatus.Allows(status, identity.Uid, identity.Gid, Execute))
        {
            return;
        }

        var prefix = $"user:{identity.Uid.ToString(CultureInfo.InvariantCulture)}:";
        try
        {
            var lines = AclFile.Read(path, ACL_TYPE_ACCESS);
            if (lines.Any(line => line.StartsWith(prefix, StringComparison.Ordinal) && line.Length > prefix.Length + 2 && line[prefix.Length + 2] == 'x'))
            {
                return;
            }

            var existing = lines.FirstOrDefault(line => line.StartsWith(prefix, StringComparison.Ordinal));
            var perms = existing is null ? "--x" : existing[prefix.Length..][..2] + "x";
            lines.RemoveAll(line => line.StartsWith(prefix, StringComparison.Ordinal) || line.StartsWith("mask:", StringComparison.Ordinal));
            lines.Add(prefix + perms);
            AclFile.Write(path, ACL_TYPE_ACCESS, lines);
        }
        catch (Exception ex) when (ex is Win32Exception or DllNotFoundException or EntryPointNotFoundException)
        {
            throw new AisbxException(
                $"cannot give the sandbox uid {identity.Uid} access to {path} ({ex.Message}): " +
                "use a filesystem with POSIX ACLs, choose a workdir it can reach, or set [sandbox] host_uid to a uid that owns it", ex);
        }
    }
}
