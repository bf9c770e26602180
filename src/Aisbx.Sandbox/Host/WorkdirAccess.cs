using Aisbx.Core.Configuration;
using Aisbx.Sandbox.Bubblewrap;
using Microsoft.Win32.SafeHandles;

namespace Aisbx.Sandbox.Host;

/// <summary>
/// Who a sandbox runs as in a caller's workdir when aisbx is root, never root itself:
/// <list type="bullet">
/// <item>the workdir's owner and group, when neither is root (nor the sandbox uid) and the owner can reach the workdir
/// and every mount by their modes: its files are then the program's own, exactly as when that user runs aisbx, and
/// nothing needs undoing;</item>
/// <item>otherwise the sandbox uid, with the workdir lent to it for the run (<see cref="WorkdirHandOver"/>).</item>
/// </list>
/// </summary>
internal static class WorkdirAccess
{
    /// <returns>The identity, and what undoes the preparation after the run.</returns>
    public static (HostIdentity RunAs, IDisposable? Undo) Arrange(
        SafeFileHandle workdir, string hostPath, IReadOnlyList<string> mountSources, AisbxConfig config)
    {
        var sandbox = new HostIdentity(config.SandboxUid, config.SandboxGid);
        var status = FileStatus.OfDescriptor((int)workdir.DangerousGetHandle())!.Value;
        if (OwnerWhoCanRun(status, hostPath, mountSources, config) is { } owner)
        {
            return (owner, null);
        }

        var handOver = WorkdirHandOver.Begin(workdir, hostPath, config);
        try
        {
            HostAccess.GrantTraverse(hostPath, sandbox);
            return (sandbox, handOver);
        }
        catch
        {
            handOver?.Dispose();
            throw;
        }
    }

    /// <summary>The workdir's owner, when the sandbox may run as that user (see above); null when it runs as the sandbox uid.</summary>
    public static HostIdentity? OwnerWhoCanRun(Interop.Interop.Statx workdir, string hostPath, IReadOnlyList<string> mountSources, AisbxConfig config)
    {
        var owner = new HostIdentity((int)workdir.Uid, (int)workdir.Gid);
        return owner.Uid != 0 && owner.Gid != 0 && owner.Uid != config.SandboxUid
            && HostAccess.CanTraverse(hostPath, owner) && mountSources.All(source => HostAccess.CanTraverse(source, owner))
            ? owner
            : null;
    }
}
