using System.Globalization;
using Aisbx.Core;
using Aisbx.Core.Configuration;
using Aisbx.Core.Policy;
using Aisbx.Sandbox.Bubblewrap;
using Microsoft.Win32.SafeHandles;
using static Aisbx.Sandbox.Interop.Interop;

namespace Aisbx.Sandbox.Host;

/// <summary>
/// The host directory behind <c>/workspace</c>, held open by a descriptor from the moment it is judged, so that what
/// bubblewrap mounts is what the policy approved (bubblewrap checks the inode behind <c>--bind-fd</c>).
/// </summary>
public sealed class Workspace : IDisposable
{
    private readonly bool _fresh;
    private readonly AisbxConfig _config;
    private IDisposable? _undo;

    private Workspace(string hostPath, SafeFileHandle handle, bool fresh, AisbxConfig config)
    {
        HostPath = hostPath;
        Handle = handle;
        _fresh = fresh;
        _config = config;
    }

    /// <summary>The real path on the host, symlinks resolved.</summary>
    public string HostPath { get; }

    internal SafeFileHandle Handle { get; }

    /// <summary>Opens a caller's workdir and applies <see cref="WorkdirPolicy"/> to where it really leads.</summary>
    public static Workspace Open(string requested, AisbxConfig config)
    {
        WorkdirPolicy.CheckRequested(requested);
        var handle = OpenPath(Path.GetFullPath(requested))
            ?? throw new PolicyRefusal("workdir-missing",
                $"workdir '{requested}' does not exist: create it first, or leave out the workdir for a fresh workspace");
        try
        {
            if (FileStatus.OfDescriptor(handle.DangerousGetHandle().ToInt32()) is not { IsDirectory: true })
            {
                throw new PolicyRefusal("workdir-not-directory", $"workdir '{requested}' is not a directory: give a directory");
            }

            var resolved = ResolveDescriptor(handle);
            WorkdirPolicy.CheckResolved(resolved, ResolvedRoots(config), ProtectedPaths(config), config.ConfigFile, requested);
            return new Workspace(resolved, handle, fresh: false, config);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Makes an empty workspace, owned by the sandbox's host uid, removed again on dispose.</summary>
    /// <param name="lease">The sandbox's lease, whose taking checked the base of fresh workspaces.</param>
    internal static Workspace CreateFresh(AisbxConfig config, HostIdentity? runAs, SandboxLease lease, string sandboxId)
    {
        var baseDirectory = lease.WorkspaceBase;
        var path = Path.Combine(baseDirectory, sandboxId);
        Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        if (runAs is not null && Chown(path, runAs.Uid, runAs.Gid) != 0)
        {
            TryDelete(path);
            throw new AisbxException($"cannot hand the fresh workspace to the sandbox uid {runAs.Uid.ToString(CultureInfo.InvariantCulture)}: check that {baseDirectory} is on a local filesystem");
        }

        var handle = OpenPath(path) ?? throw new AisbxException($"the fresh workspace {path} vanished before launch");
        return new Workspace(path, handle, fresh: true, config);
    }

    /// <summary>
    /// Right before launch, when aisbx is root: chooses who the sandbox runs as in this workspace
    /// (<see cref="WorkdirAccess"/>), prepares the workdir for it, and makes every mount reachable. Undone on dispose.
    /// </summary>
    internal LaunchPlan Prepare(LaunchPlan plan)
    {
        if (plan.RunAs is not { } runAs)
        {
            return plan;
        }

        List<string> sources = [.. plan.Mounts.OfType<BindMount>().Select(bind => bind.Source)];
        if (!_fresh)
        {
            (runAs, _undo) = WorkdirAccess.Arrange(Handle, HostPath, sources, _config);
        }

        if (runAs.Uid == _config.SandboxUid)
        {
            sources.ForEach(source => HostAccess.GrantTraverse(source, runAs));
        }

        return plan with { RunAs = runAs };
    }

    /// <summary>Gives a lent workdir back (or removes a fresh one), then lets go of it.</summary>
    public void Dispose()
    {
        try
        {
            _undo?.Dispose();
        }
        finally
        {
            DisposeHandle();
        }
    }

    private void DisposeHandle()
    {
        Handle.Dispose();
        if (_fresh)
        {
            TryDelete(HostPath);
        }
    }

    internal static string ResolveDescriptor(SafeFileHandle handle) =>
        new FileInfo("/proc/self/fd/" + handle.DangerousGetHandle().ToInt32().ToString(CultureInfo.InvariantCulture)).LinkTarget
        ?? throw new AisbxException("cannot resolve the workdir through /proc/self/fd: is /proc mounted?");

    private static List<string> ResolvedRoots(AisbxConfig config) =>
        [.. config.AllowedWorkdirRoots.Select(config.ExpandHome).Select(root => RealPath(root) ?? Path.GetFullPath(root))];

    private static List<string> ProtectedPaths(AisbxConfig config) =>
        [RealPath(config.ConfigDirectory) ?? config.ConfigDirectory, RealPath(config.WorkspaceBase) ?? config.WorkspaceBase];

    private static SafeFileHandle? OpenPath(string path)
    {
        var fd = Interop.Interop.Open(path, O_PATH | O_CLOEXEC, 0);
        return fd < 0 ? null : new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>
    /// The base of fresh workspaces lives in a shared temp dir: it must be a real directory of ours that nobody else
    /// can write, or another local user could have planted a symlink there.
    /// </summary>
    internal static string EnsureBase(string baseDirectory)
    {
        Directory.CreateDirectory(baseDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                                                 | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        var info = new DirectoryInfo(baseDirectory);
        var status = FileStatus.OfPath(baseDirectory);
        if (info.LinkTarget is not null || status is not { IsDirectory: true } s || s.Uid != GetEffectiveUserId() || (s.Mode & 0x12) != 0)
        {
            throw new AisbxException(
                $"{baseDirectory} is not a private directory of this user (a symlink, another owner, or group/world-writable): remove it and run again");
        }

        return baseDirectory;
    }

    internal static void TryDelete(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (UnauthorizedAccessException)
        {
            // The program may have taken its own permissions away from a subdirectory; give them back and retry.
            foreach (var directory in Directory.EnumerateDirectories(path, "*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.ReparsePoint }))
            {
                File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }

            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            Directory.Delete(path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
