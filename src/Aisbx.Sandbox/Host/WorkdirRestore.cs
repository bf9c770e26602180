using System.ComponentModel;
using Aisbx.Core;
using Aisbx.Core.Configuration;
using Aisbx.Sandbox.Bubblewrap;
using static Aisbx.Sandbox.Interop.Interop;

namespace Aisbx.Sandbox.Host;

/// <summary>What the sweep did with one abandoned journal.</summary>
/// <param name="Workdir">The workdir's host path, as the journal recorded it.</param>
/// <param name="Restored">Whether the workdir was put back; false when it is gone or the restore failed (the reason is in <paramref name="Detail"/>).</param>
public sealed record RestoredWorkdir(string Workdir, bool Restored, string Detail);

/// <summary>
/// Puts lent workdirs back after their runs: what <see cref="WorkdirHandOver"/> does at the end of the last run, and
/// what <see cref="SweepAbandoned"/> does for runs whose aisbx was killed first.
/// </summary>
public static class WorkdirRestore
{
    /// <summary>
    /// Restores every workdir whose journal no live run holds (its aisbx died: SIGKILL, a crash, a power cut), then
    /// removes the journal. Journals of live runs are left alone, so this is safe to call at any time, from any
    /// number of processes; call it when the CLI or the server starts. Does nothing unless aisbx is root.
    /// </summary>
    public static IReadOnlyList<RestoredWorkdir> SweepAbandoned(AisbxConfig config)
    {
        var directory = JournalFile.Directory(config);
        if (!SandboxIdentity.CallerIsRoot || !Directory.Exists(directory))
        {
            return [];
        }

        var results = new List<RestoredWorkdir>();
        foreach (var path in Directory.EnumerateFiles(directory, "*.json"))
        {
            using var file = JournalFile.Open(path, create: false);
            if (file is null || !file.TryLock(LOCK_EX) || !file.IsCurrent())
            {
                continue; // Gone already, or held by a live run.
            }

            if (file.Read() is not { } journal)
            {
                file.Delete(); // Its run died before it changed anything.
                continue;
            }

            results.Add(Restore(file, journal));
        }

        return results;
    }

    /// <summary>Undoes what the journal records in the workdir open at <paramref name="workdirFd"/>.</summary>
    internal static void Undo(int workdirFd, WorkdirJournal journal)
    {
        try
        {
            Apply(workdirFd, journal);
        }
        catch (Exception first) when (first is IOException or Win32Exception)
        {
            // The tree moved under the walk: a process of the sandbox was still dying. It is dead now; once more.
            try
            {
                Apply(workdirFd, journal);
            }
            catch (Exception ex) when (ex is IOException or Win32Exception)
            {
                throw new AisbxException(
                    $"the run ended, but {journal.Workdir} could not be given back to uid {journal.OwnerUid} ({ex.Message}); " +
                    "it is retried by the next run in it and when aisbx starts", ex);
            }
        }
    }

    private static void Apply(int workdirFd, WorkdirJournal journal)
    {
        if (journal.Kind == WorkdirJournal.HandOver)
        {
            WorkdirOwnership.GiveBack(workdirFd, new HostIdentity(journal.OwnerUid, journal.OwnerGid), new HostIdentity(journal.SandboxUid, journal.SandboxGid));
        }
    }

    private static RestoredWorkdir Restore(JournalFile file, WorkdirJournal journal)
    {
        var fd = Interop.Interop.Open(journal.Workdir, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
        try
        {
            if (fd < 0 || FileStatus.OfDescriptor(fd) is not { } status
                || status.DeviceMajor != journal.DeviceMajor || status.DeviceMinor != journal.DeviceMinor || status.Inode != journal.Inode)
            {
                file.Delete();
                return new RestoredWorkdir(journal.Workdir, false, "the workdir is gone (or another directory has its path): nothing to restore");
            }

            Undo(fd, journal);
            file.Delete();
            return new RestoredWorkdir(journal.Workdir, true, $"given back to uid {journal.OwnerUid}");
        }
        catch (AisbxException ex)
        {
            return new RestoredWorkdir(journal.Workdir, false, ex.Message);
        }
        finally
        {
            if (fd >= 0)
            {
                _ = Close(fd);
            }
        }
    }
}
