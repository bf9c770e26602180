using System.ComponentModel;
using System.Runtime.InteropServices;
using static Aisbx.Sandbox.Interop.Interop;

namespace Aisbx.Sandbox.Host;

/// <summary>A file's POSIX ACL as libacl's text lines (<c>user:1000:rwx</c>, numeric ids), read and written whole.</summary>
internal static class AclFile
{
    /// <summary>Whether the file has ACL entries beyond its mode bits, or a default ACL.</summary>
    public static bool IsExtended(string path) => AclExtendedFile(path) == 1;

    /// <summary>The same, asking only for the ACLs a file of this kind can have (one xattr read for a non-directory).</summary>
    public static bool HasExtended(string path, bool isDirectory) =>
        Getxattr(path, "system.posix_acl_access", 0, 0) >= 0 || (isDirectory && Getxattr(path, "system.posix_acl_default", 0, 0) >= 0);

    /// <summary>The entries of the ACL of <paramref name="type"/>; none for a directory without a default ACL.</summary>
    public static List<string> Read(string path, int type)
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
                return [];
            }

            try
            {
                return [.. (Marshal.PtrToStringUTF8(text) ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries)];
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

    /// <summary>Sets the ACL of <paramref name="type"/> to <paramref name="lines"/>, with the mask recomputed when it has none.</summary>
    public static void Write(string path, int type, IEnumerable<string> lines)
    {
        var entries = lines.ToList();
        var acl = AclFromText(string.Join('\n', entries));
        if (acl == 0)
        {
            throw new Win32Exception(Marshal.GetLastPInvokeError(), "acl_from_text");
        }

        try
        {
            var needsMask = !entries.Any(line => line.StartsWith("mask:", StringComparison.Ordinal)) && entries.Any(IsNamed);
            if ((needsMask && AclCalcMask(ref acl) != 0) || AclSetFile(path, type, acl) != 0)
            {
                throw new Win32Exception(Marshal.GetLastPInvokeError(), "acl_set_file");
            }
        }
        finally
        {
            _ = AclFree(acl);
        }
    }

    /// <summary>Removes a directory's default ACL, so that new entries get their modes from the umask again.</summary>
    public static void DeleteDefault(string path)
    {
        if (AclDeleteDefFile(path) != 0)
        {
            throw new Win32Exception(Marshal.GetLastPInvokeError(), "acl_delete_def_file");
        }
    }

    /// <summary>An entry for a named user or group, as opposed to the owner, owning group, mask and others.</summary>
    public static bool IsNamed(string line) =>
        (line.StartsWith("user:", StringComparison.Ordinal) && !line.StartsWith("user::", StringComparison.Ordinal))
        || (line.StartsWith("group:", StringComparison.Ordinal) && !line.StartsWith("group::", StringComparison.Ordinal));
}
