using System.Text;
using Aisbx.Sandbox.Bubblewrap;
using static Aisbx.Sandbox.Interop.Interop;

namespace Aisbx.Sandbox.Rootfs.Images;

/// <summary>
/// The directories of one import: the tree (owned by the build uid, 0755) and, beside it, a work directory of the
/// build uid's (0700) for what the tools read and write on the way; removed when the import ends.
/// </summary>
internal sealed class ImportDirectories : IDisposable
{
    private const UnixFileMode TreeMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private const UnixFileMode PrivateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private readonly HostIdentity _owner;

    public ImportDirectories(string treeDirectory, HostIdentity owner)
    {
        _owner = owner;
        Tree = treeDirectory;
        Work = treeDirectory.TrimEnd('/') + ".import";
        if (Directory.Exists(Work))
        {
            Directory.Delete(Work, recursive: true);
        }

        MakeOwned(Tree, TreeMode);
        MakeOwned(Work, PrivateMode);
    }

    public string Tree { get; }

    public string Work { get; }

    /// <summary>Gives a file aisbx made in the work directory to the build uid, readable by it alone.</summary>
    public void Own(string path, UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite)
    {
        File.SetUnixFileMode(path, mode);
        Chown(path);
    }

    /// <summary>Makes a directory of the work directory's, owned by the build uid.</summary>
    public string MakeDirectory(string path)
    {
        MakeOwned(path, PrivateMode);
        return path;
    }

    public void Dispose()
    {
        try
        {
            if (Directory.Exists(Work))
            {
                Directory.Delete(Work, recursive: true);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Beside the tree in the build's staging directory, which the build removes as a whole.
        }
    }

    private void MakeOwned(string path, UnixFileMode mode)
    {
        Directory.CreateDirectory(path);
        File.SetUnixFileMode(path, mode);
        Chown(path);
    }

    private unsafe void Chown(string path)
    {
        var bytes = Encoding.UTF8.GetBytes(path + "\0");
        fixed (byte* name = bytes)
        {
            if (Fchownat(AT_FDCWD, name, _owner.Uid, _owner.Gid, AT_SYMLINK_NOFOLLOW) != 0)
            {
                throw new BuildFailedException($"cannot give {Path.GetFileName(path)} to the build uid {_owner.Uid} (errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}): run the build as root, or set [rootfs] build_uid to your own uid");
            }
        }
    }
}
