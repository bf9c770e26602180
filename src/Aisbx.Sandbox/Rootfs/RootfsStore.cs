using System.Text.Json;
using Aisbx.Core.Configuration;
using Aisbx.Core.Profiles;
using Aisbx.Sandbox.Host;
using Microsoft.Win32.SafeHandles;

namespace Aisbx.Sandbox.Rootfs;

/// <summary>
/// Built trees, each under the hash of its inputs:
/// <c>&lt;store&gt;/&lt;hash&gt;/{tree/, tree.json, lock}</c>; <c>profiles/&lt;name&gt;.json</c> remembers which
/// tree a profile last built (so that a changed profile shows as stale, not missing); <c>.staging-*</c> are builds
/// in progress (each holds its <c>lock</c>), <c>.trash-*</c> trees on their way out.
/// </summary>
public sealed class RootfsStore(AisbxConfig config)
{
    internal const string TreeName = "tree";
    internal const string RecordName = "tree.json";
    internal const string LockName = "lock";
    internal const string StagingPrefix = ".staging-";
    internal const string TrashPrefix = ".trash-";

    public string Root => config.RootfsStore;

    internal string PointersDirectory => Path.Combine(Root, "profiles");

    internal string LocksDirectory => Path.Combine(Root, ".locks");

    public string TreePath(string hash) => Path.Combine(Root, hash, TreeName);

    public TreeStatus Status(Profile profile)
    {
        if (!profile.Rootfs.IsBuilt)
        {
            return new TreeStatus(profile.Name, TreeState.Host, "", null, null, profile.Rootfs.Describe());
        }

        var inputs = TreeInputs.Of(profile.Rootfs, config);
        if (ReadRecord(Path.Combine(Root, inputs.Hash, RecordName)) is { } built)
        {
            return new TreeStatus(profile.Name, TreeState.Built, inputs.Hash, built.BuiltAt, built.SizeBytes, profile.Rootfs.Describe());
        }

        return ReadRecord(PointerPath(profile.Name)) is { } last
            ? new TreeStatus(profile.Name, TreeState.Stale, inputs.Hash, last.BuiltAt, last.SizeBytes, profile.Rootfs.Describe())
            : new TreeStatus(profile.Name, TreeState.Missing, inputs.Hash, null, null, profile.Rootfs.Describe());
    }

    /// <summary>
    /// Changes whenever the profile's tree is built again (its pointer is rewritten): a sandbox started ahead on the
    /// tree of an older version is not handed out. One stat, no hashing.
    /// </summary>
    public long Version(Profile profile) =>
        profile.Rootfs.IsBuilt && File.GetLastWriteTimeUtc(PointerPath(profile.Name)) is var written ? written.Ticks : 0;

    /// <summary>The tree a run of <paramref name="profile"/> mounts, held until the lease is disposed.</summary>
    /// <exception cref="Core.Policy.PolicyRefusal">Missing or stale (<see cref="RootfsNotBuilt.Rule"/>): the message names the build to run.</exception>
    public RootfsLease Acquire(Profile profile)
    {
        if (!profile.Rootfs.IsBuilt)
        {
            return RootfsLease.Host;
        }

        var inputs = TreeInputs.Of(profile.Rootfs, config);
        // The profile's pointer names the tree of exactly these inputs, when it was built here: no hashing needed.
        var hash = ReadRecord(PointerPath(profile.Name)) is { } last && last.Inputs == inputs.Text ? last.Hash : inputs.Hash;
        var lockPath = Path.Combine(Root, hash, LockName);
        // A prune takes the lock exclusively for as long as it takes to rename the tree away: a lock taken after that
        // is on a file no longer at this path.
        if (TakeShared(lockPath) is not { } held)
        {
            throw RootfsNotBuilt.Refusal(Status(profile));
        }

        var tree = TreePath(hash);
        var fromImage = profile.Rootfs.Kind == Core.Rootfs.RootfsKind.Image;
        return new RootfsLease(TreeMounts.For(tree, fromPackages: !fromImage), tree, held, fromImage);
    }

    private static SafeFileHandle? TakeShared(string lockPath)
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            if (!File.Exists(lockPath))
            {
                return null;
            }

            if (StoreLock.TryTake(lockPath, exclusive: false) is { } held)
            {
                if (StoreLock.StillAt(held, lockPath))
                {
                    return held;
                }

                held.Dispose();
                return null;
            }

            Thread.Sleep(10); // A prune is deciding about this tree right now.
        }

        return null;
    }

    internal string PointerPath(string profile) => Path.Combine(PointersDirectory, profile + ".json");

    internal static TreeRecord? ReadRecord(string path)
    {
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize(File.ReadAllText(path), RootfsJsonContext.Default.TreeRecord) : null;
        }
        catch (Exception ex) when (ex is IOException or JsonException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    internal static void WriteRecord(string path, TreeRecord record)
    {
        var temporary = path + ".tmp-" + Environment.ProcessId;
        File.WriteAllText(temporary, JsonSerializer.Serialize(record, RootfsJsonContext.Default.TreeRecord));
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Creates the store's directories: readable by all (the sandbox uid mounts from here), writable by aisbx only.</summary>
    internal void EnsureLayout()
    {
        foreach (var directory in new[] { Root, PointersDirectory, LocksDirectory })
        {
            Directory.CreateDirectory(directory);
        }

        File.SetUnixFileMode(Root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        if (SandboxIdentity.For(config) is { } sandbox)
        {
            // The sandbox uid mounts trees from here; the build uid unpacks images into staging directories here.
            HostAccess.GrantTraverse(Path.Combine(Root, "x"), sandbox);
            HostAccess.GrantTraverse(Path.Combine(Root, "x"), new Bubblewrap.HostIdentity(config.RootfsBuilds.BuildUid, config.RootfsBuilds.BuildGid));
        }
    }
}
