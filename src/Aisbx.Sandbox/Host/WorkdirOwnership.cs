using System.Globalization;
using Aisbx.Sandbox.Bubblewrap;
using static Aisbx.Sandbox.Interop.Interop;

namespace Aisbx.Sandbox.Host;

/// <summary>
/// The ownership changes around a run in a workdir the sandbox uid does not own: the owner's plain files and
/// directories are lent to the sandbox uid before, and everything the sandbox uid owns afterwards is given back to
/// the owner, with set-id bits cleared and the sandbox's ACL entries removed. Every change goes through
/// <see cref="WorkdirTree"/> and <see cref="PinnedEntry"/>: no symlink is followed, no other mount is entered.
/// </summary>
internal static class WorkdirOwnership
{
    private const int SetIdBits = S_ISUID | S_ISGID;
    private const int AnyExecute = 0x49;

    /// <summary>
    /// Lends the owner's directories and regular files to the sandbox uid (the owner keeps the group). Left as they
    /// are: entries of other owners; symlinks and special files; a file with more than one hard link (its other name
    /// may be outside the workdir: <c>ln /etc/shadow</c>); set-id files and files with capabilities, which a chown
    /// would strip.
    /// </summary>
    public static void Lend(int workdirFd, HostIdentity owner, HostIdentity sandbox) =>
        Change(workdirFd, (in Statx status) => MayLend(status, owner), entry => LendEntry(entry, owner, sandbox));

    /// <summary>
    /// Gives every entry of the sandbox uid or gid to the owner. Set-uid and set-gid bits are cleared on all but
    /// directories (where they grant nothing: set-gid only passes the directory's group on), and ACL entries naming
    /// the sandbox uid or gid are removed (with a default ACL that had no other named entry), so the sandbox cannot
    /// leave the owner a set-id file or a way back in.
    /// </summary>
    public static void GiveBack(int workdirFd, HostIdentity owner, HostIdentity sandbox) =>
        Change(workdirFd, (in Statx status) => IsSandboxs(status, sandbox), entry => GiveBackEntry(entry, owner, sandbox));

    private delegate bool Selection(in Statx status);

    /// <summary>
    /// Applies <paramref name="change"/> to the workdir itself (which the change judges on its own) and to every entry
    /// below it that <paramref name="selected"/> picks from its listing, each pinned first.
    /// </summary>
    private static void Change(int workdirFd, Selection selected, Action<PinnedEntry> change)
    {
        using (var root = PinnedEntry.Borrow(workdirFd))
        {
            change(root);
        }

        WorkdirTree.Walk(workdirFd, (int parentFd, byte[] name, in Statx status) =>
        {
            if (selected(status) && PinnedEntry.Open(parentFd, name) is { } entry)
            {
                using (entry)
                {
                    change(entry);
                }
            }
        });
    }

    private static bool MayLend(in Statx status, HostIdentity owner) =>
        status.Uid == (uint)owner.Uid
        && (status.IsDirectory || (status.IsRegularFile && status.Nlink == 1 && (status.Mode & SetIdBits) == 0));

    private static void LendEntry(PinnedEntry entry, HostIdentity owner, HostIdentity sandbox)
    {
        // Judged again on the pinned inode: the name may have changed hands since it was listed.
        var status = entry.Status;
        if (!MayLend(status, owner) || (status.IsRegularFile && (status.Mode & AnyExecute) != 0 && entry.HasCapabilities()))
        {
            return;
        }

        entry.Chown(sandbox.Uid, -1);
    }

    private static bool IsSandboxs(in Statx status, HostIdentity sandbox) =>
        status.Uid == (uint)sandbox.Uid || status.Gid == (uint)sandbox.Gid;

    private static void GiveBackEntry(PinnedEntry entry, HostIdentity owner, HostIdentity sandbox)
    {
        var status = entry.Status;
        if (!IsSandboxs(status, sandbox))
        {
            return;
        }

        // The chown comes first: once the owner has it back, the sandbox uid (if anything of it still ran) can no
        // longer change its mode or ACL. (The kernel clears set-id bits on a chown, but not always both.)
        entry.Chown(status.Uid == (uint)sandbox.Uid ? owner.Uid : -1, status.Gid == (uint)sandbox.Gid ? owner.Gid : -1);
        if (status.IsSymlink)
        {
            return;
        }

        if (!status.IsDirectory && (status.Mode & SetIdBits) != 0)
        {
            entry.Chmod(status.Mode & 0xFFF & ~SetIdBits);
        }

        RemoveAclEntries(entry, sandbox);
    }

    /// <summary>
    /// Drops ACL entries for the sandbox uid and gid (the program may set them on what it owns, and an older aisbx
    /// granted them on workdirs). An access ACL left with no named entries becomes the plain mode again, with the
    /// owning group keeping only what the mask allowed it (its effective access, unchanged); a default ACL left with
    /// none is removed.
    /// </summary>
    private static void RemoveAclEntries(PinnedEntry entry, HostIdentity sandbox)
    {
        var path = entry.ProcPath;
        if (!AclFile.HasExtended(path, entry.Status.IsDirectory))
        {
            return;
        }

        string[] named = [$"user:{sandbox.Uid.ToString(CultureInfo.InvariantCulture)}:", $"group:{sandbox.Gid.ToString(CultureInfo.InvariantCulture)}:"];
        foreach (var type in entry.Status.IsDirectory ? new[] { ACL_TYPE_ACCESS, ACL_TYPE_DEFAULT } : [ACL_TYPE_ACCESS])
        {
            var lines = AclFile.Read(path, type);
            if (lines.RemoveAll(line => named.Any(prefix => line.StartsWith(prefix, StringComparison.Ordinal))) == 0)
            {
                continue;
            }

            if (lines.Any(AclFile.IsNamed))
            {
                lines.RemoveAll(line => line.StartsWith("mask:", StringComparison.Ordinal));
                AclFile.Write(path, type, lines);
            }
            else if (type == ACL_TYPE_DEFAULT)
            {
                AclFile.DeleteDefault(path); // It existed for the sandbox's entry alone.
            }
            else
            {
                AclFile.Write(path, type, Minimal(lines));
            }
        }
    }

    /// <summary>Owner, owning group (limited by the old mask) and others: an ACL that is just a mode.</summary>
    private static List<string> Minimal(List<string> lines)
    {
        var mask = lines.FirstOrDefault(line => line.StartsWith("mask::", StringComparison.Ordinal))?["mask::".Length..];
        return [.. lines
            .Where(line => !line.StartsWith("mask:", StringComparison.Ordinal))
            .Select(line => mask is not null && line.StartsWith("group::", StringComparison.Ordinal) ? "group::" + Intersect(line["group::".Length..], mask) : line)];
    }

    private static string Intersect(string perms, string mask) =>
        new([.. perms.Zip(mask, (p, m) => m == '-' ? '-' : p)]);
}
