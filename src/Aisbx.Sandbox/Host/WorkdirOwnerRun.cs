using Aisbx.Core.Configuration;
using Aisbx.Sandbox.Bubblewrap;
using Microsoft.Win32.SafeHandles;
using static Aisbx.Sandbox.Interop.Interop;

namespace Aisbx.Sandbox.Host;

/// <summary>
/// A run as the workdir's own (non-root) owner: nothing is lent, but set-id bits the program set on the owner's
/// files are cleared afterwards (<see cref="WorkdirOwnership.ClearNewSetIdBits"/>). Each run has a journal of its
/// own, held locked while it runs, so the sweep can do the clearing for a run that died.
/// </summary>
internal sealed class WorkdirOwnerRun : IDisposable
{
    /// <summary>Timestamps come from a clock that may lag the one read here by a tick: look a little further back.</summary>
    private const long ClockSlackSeconds = 2;

    private readonly JournalFile _file;
    private readonly WorkdirJournal _journal;
    private readonly SafeFileHandle _workdir;

    private WorkdirOwnerRun(JournalFile file, WorkdirJournal journal, SafeFileHandle workdir)
    {
        _file = file;
        _journal = journal;
        _workdir = workdir;
    }

    public static WorkdirOwnerRun Begin(SafeFileHandle workdir, string hostPath, HostIdentity owner, AisbxConfig config, string sandboxId)
    {
        var status = FileStatus.OfDescriptor((int)workdir.DangerousGetHandle())!.Value;
        var file = JournalFile.Open(Path.Combine(JournalFile.Directory(config), $"owner-run-{sandboxId}.json"), create: true)!;
        try
        {
            _ = file.TryLock(LOCK_EX);
            var journal = new WorkdirJournal
            {
                Kind = WorkdirJournal.OwnerRun, Workdir = hostPath,
                DeviceMajor = status.DeviceMajor, DeviceMinor = status.DeviceMinor, Inode = status.Inode,
                OwnerUid = owner.Uid, OwnerGid = owner.Gid, SandboxUid = config.SandboxUid, SandboxGid = config.SandboxGid,
                StartedAtUnixSeconds = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - ClockSlackSeconds,
            };
            file.Write(journal);
            return new WorkdirOwnerRun(file, journal, workdir);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        try
        {
            WorkdirRestore.Undo((int)_workdir.DangerousGetHandle(), _journal);
            _file.Delete();
        }
        finally
        {
            _file.Dispose();
        }
    }
}
