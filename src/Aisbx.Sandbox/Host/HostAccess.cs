using System.ComponentModel;
using System.Globalization;
using System.Runtime.InteropServices;
using Aisbx.Core;
using Aisbx.Sandbox.Bubblewrap;
using static Aisbx.Sandbox.Interop.Interop;

namespace Aisbx.Sandbox.Host;

/// <summary>
/// Lets the unprivileged sandbox uid reach what root asked it to mount, through POSIX ACL entries for that uid only:
/// search (x) on each directory above a mount that it cannot traverse, and rwx (plus a default entry, so that new
/// subdirectories follow) on a workdir it cannot write. Modes and other users' access are left as they are.
/// </summary>
internal static class HostAccess
{
    private const int Execute = 1;
    private const int ReadWriteExecute = 7;

    /// <summary>Every directory above <paramref name="path"/> becomes traversable by <paramref name="identity"/>.</summary>
    public static void GrantTraverse(string path, HostIdentity identity)
    {
        var directory = Path.GetDirectoryName(path);
        var ancestors = new Stack<string>();
        while (!string.IsNullOrEmpty(directory))
        {
            ancestors.Push(directory);
            directory = Path.GetDirectoryName(directory);
        }

        foreach (var ancestor in ancestors)
        {
            Grant(ancestor, identity, Execute, alsoDefault: false);
        }
    }

    /// <summary>The workdir itself becomes readable, writable and searchable by <paramref name="identity"/>.</summary>
    public static void GrantWorkspace(string path, HostIdentity identity)
    {
        GrantTraverse(path, identity);
        Grant(path, identity, ReadWriteExecute, alsoDefault: true);
    }

    private static void Grant(string path, HostIdentity identity, int bits, bool alsoDefault)
    {
        if (FileStatus.OfPath(path) is not { } status || FileStatus.Allows(status, identity.Uid, identity.Gid, bits))
        {
            return;
        }

        var prefix = $"user:{identity.Uid.ToString(CultureInfo.InvariantCulture)}:";
        var perms = bits == ReadWriteExecute ? "rwx" : "--x";
        try
        {
            AddEntry(path, ACL_TYPE_ACCESS, prefix, perms);
            if (alsoDefault)
            {
                AddEntry(path, ACL_TYPE_DEFAULT, prefix, perms);
            }
        }
        catch (Exception ex) when (ex is Win32Exception or DllNotFoundException or EntryPointNotFoundException)
        {
            throw new AisbxException(
                $"cannot give the sandbox uid {identity.Uid} access to {path} ({ex.Message}): " +
                "use a filesystem with POSIX ACLs, choose a workdir it can reach, or set [sandbox] host_uid to a uid that owns it", ex);
        }
    }

    /// <summary>Sets the entry <c>user:UID:perms</c> in the ACL of <paramref name="type"/>, keeping every other entry.</summary>
    private static void AddEntry(string path, int type, string prefix, string perms)
    {
        var text = ReadText(path, type);
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
        if (lines.Any(line => line.StartsWith(prefix, StringComparison.Ordinal) && Covers(line[prefix.Length..], perms)))
        {
            return;
        }

        if (lines.Count == 0)
        {
            // No default ACL yet: it starts as a copy of the access ACL.
            lines = [.. ReadText(path, ACL_TYPE_ACCESS).Split('\n', StringSplitOptions.RemoveEmptyEntries)];
        }

        lines.RemoveAll(line => line.StartsWith(prefix, StringComparison.Ordinal) || line.StartsWith("mask:", StringComparison.Ordinal));
        lines.Add(prefix + perms);
        var acl = AclFromText(string.Join('\n', lines));
        if (acl == 0)
        {
            throw new Win32Exception(Marshal.GetLastPInvokeError(), "acl_from_text");
        }

        try
        {
            if (AclCalcMask(ref acl) != 0 || AclSetFile(path, type, acl) != 0)
            {
                throw new Win32Exception(Marshal.GetLastPInvokeError(), "acl_set_file");
            }
        }
        finally
        {
            _ = AclFree(acl);
        }
    }

    private static bool Covers(string granted, string wanted)
    {
        for (var i = 0; i < wanted.Length && i < granted.Length; i++)
        {
            if (wanted[i] != '-' && granted[i] != wanted[i])
            {
                return false;
            }
        }

        return granted.Length >= wanted.Length;
    }

    private static string ReadText(string path, int type)
    {
        var acl = AclGetFile(path, type);
        if (acl == 0)
        {
            throw new Win32Exception(Marshal.GetLastPInvokeError(), "acl_get_file");
        }

        try
        {
            var text = AclToAnyText(acl, null, (byte)'\n', TEXT_NUMERIC_IDS);
            if (text == 0)
            {
                return "";
            }

            try
            {
                return Marshal.PtrToStringUTF8(text) ?? "";
            }
            finally
            {
                _ = AclFree(text);
            }
        }
        finally
        {
            _ = AclFree(acl);
        }
    }
}
