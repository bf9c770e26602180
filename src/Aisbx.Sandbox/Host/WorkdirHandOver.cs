using System.Globalization;
using Aisbx.Core;
using Aisbx.Core.Configuration;
using Aisbx.Sandbox.Bubblewrap;
using Microsoft.Win32.SafeHandles;
using static Aisbx.Sandbox.Interop.Interop;

namespace Aisbx.Sandbox.Host;

/// <summary>
/// A workdir lent to the sandbox uid (<see cref="WorkdirOwnership.Lend"/>) for as long as runs use it, and given
/// back after the last. Runs in the same workdir share one hand-over and one journal: the first writes the journal
/// and lends under an exclusive lock, every run then holds the lock shared, and the one that can take it exclusive
/// again at its end is the last, and gives the workdir back. A journal found with nobody holding it belongs to a run
/// that died: it is given back first.
/// </summary>
internal sealed class WorkdirHandOver : IDisposable
{
    private const int Attempts = 100;

    private readonly JournalFile _file;
    private readonly WorkdirJournal _journal;
    private readonly SafeFileHandle _workdir;

    private WorkdirHandOver(JournalFile file, WorkdirJournal journal, SafeFileHandle workdir)
    {
        _file = file;
        _journal = journal;
        _workdir = workdir;
    }

    /// <summary>Lends the workdir, or joins the runs that have it already; null when it belongs to the sandbox uid anyway.</summary>
    public static WorkdirHandOver? Begin(SafeFileHandle workdir, string hostPath, AisbxConfig config)
    {
        try
        {
            return LendOrJoin(workdir, hostPath, config);
        }
        catch (IOException ex)
        {
            throw new AisbxException(
                $"cannot keep the journal for lending the workdir {hostPath} in {JournalFile.Directory(config)} ({ex.Message}): make that directory writable by root, or use a workdir owned by a user", ex);
        }
    }

    private static WorkdirHandOver? LendOrJoin(SafeFileHandle workdir, string hostPath, AisbxConfig config)
    {
        var fd = (int)workdir.DangerousGetHandle();
        var sandbox = new HostIdentity(config.SandboxUid, config.SandboxGid);
        var status = FileStatus.OfDescriptor(fd) ?? throw new AisbxException($"cannot read the status of the workdir {hostPath}");
        var path = Path.Combine(JournalFile.Directory(config), string.Create(CultureInfo.InvariantCulture,
            $"hand-over-{status.DeviceMajor}-{status.DeviceMinor}-{status.Inode}.json"));
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            var file = JournalFile.Open(path, create: true)!;
            try
            {
                if (file.TryLock(LOCK_EX))
                {
                    if (file.IsCurrent())
                    {
                        return Lend(file, workdir, hostPath, sandbox);
                    }
                }
                else
                {
                    file.WaitLock(LOCK_SH);
                    if (file.IsCurrent() && file.Read() is { } shared)
                    {
                        return new WorkdirHandOver(file, shared, workdir);
                    }
                }
            }
            catch
            {
                file.Dispose();
                throw;
            }

            // Given back (and unlinked) by another run while this one waited: start over with a new journal.
            file.Dispose();
        }

        throw new AisbxException($"cannot lend the workdir {hostPath} to the sandbox: its journal {path} kept changing. Run again");
    }

    /// <summary>The last run out gives the workdir back; the others only let go.</summary>
    public void Dispose()
    {
        try
        {
            if (_file.TryLock(LOCK_EX))
            {
                WorkdirRestore.Undo((int)_workdir.DangerousGetHandle(), _journal);
                _file.Delete();
            }
        }
        finally
        {
            _file.Dispose();
        }
    }

    private static WorkdirHandOver? Lend(JournalFile file, SafeFileHandle workdir, string hostPath, HostIdentity sandbox)
    {
        var fd = (int)workdir.DangerousGetHandle();
        if (file.Read() is { } abandoned && abandoned.Workdir == hostPath)
        {
            WorkdirRestore.Undo(fd, abandoned);
        }

        var status = FileStatus.OfDescriptor(fd)!.Value;
        if (status.Uid == (uint)sandbox.Uid)
        {
            file.Delete();
            file.Dispose();
            return null;
        }

        var journal = new WorkdirJournal
        {
            Kind = WorkdirJournal.HandOver, Workdir = hostPath,
            DeviceMajor = status.DeviceMajor, DeviceMinor = status.DeviceMinor, Inode = status.Inode,
            OwnerUid = (int)status.Uid, OwnerGid = (int)status.Gid, SandboxUid = sandbox.Uid, SandboxGid = sandbox.Gid,
        };
        file.Write(journal);
        try
        {
            WorkdirOwnership.Lend(fd, new HostIdentity(journal.OwnerUid, journal.OwnerGid), sandbox);
        }
        catch (Exception ex) when (ex is IOException or System.ComponentModel.Win32Exception)
        {
            WorkdirRestore.Undo(fd, journal);
            file.Delete();
            throw new AisbxException($"cannot lend the workdir {hostPath} to the sandbox uid {sandbox.Uid} ({ex.Message}): nothing was changed. Check the workdir and run again", ex);
        }

        file.WaitLock(LOCK_SH);
        return new WorkdirHandOver(file, journal, workdir);
    }
}
