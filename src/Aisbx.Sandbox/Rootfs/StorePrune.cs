using Aisbx.Core.Profiles;

namespace Aisbx.Sandbox.Rootfs;

/// <summary>What a prune removed.</summary>
public sealed record PruneReport(int Removed, long BytesFreed);

/// <summary>
/// Removes what nothing uses: trees no profile points to, builds whose builder is gone (a killed or cancelled
/// build), and trash. A tree whose lock a run holds is left for a later prune; one taken exclusively here is renamed
/// away first, so a run that looks for it at that moment finds it gone, never half deleted.
/// </summary>
internal static class StorePrune
{
    /// <param name="knownProfiles">When given (an explicit prune), pointers of profiles that no longer exist are dropped first.</param>
    public static PruneReport Run(RootfsStore store, IEnumerable<Profile>? knownProfiles)
    {
        if (!Directory.Exists(store.Root))
        {
            return new PruneReport(0, 0);
        }

        if (knownProfiles is not null && Directory.Exists(store.PointersDirectory))
        {
            var names = knownProfiles.Where(p => p.Rootfs.IsBuilt).Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
            foreach (var pointer in Directory.GetFiles(store.PointersDirectory, "*.json"))
            {
                if (!names.Contains(Path.GetFileNameWithoutExtension(pointer)))
                {
                    File.Delete(pointer);
                }
            }
        }

        var referenced = Directory.Exists(store.PointersDirectory)
            ? Directory.GetFiles(store.PointersDirectory, "*.json").Select(RootfsStore.ReadRecord).OfType<TreeRecord>().Select(r => r.Hash).ToHashSet(StringComparer.Ordinal)
            : [];

        int removed = 0;
        long bytes = 0;
        foreach (var directory in Directory.GetDirectories(store.Root))
        {
            var name = Path.GetFileName(directory);
            var unused = name.StartsWith(RootfsStore.StagingPrefix, StringComparison.Ordinal) || name.StartsWith(RootfsStore.TrashPrefix, StringComparison.Ordinal)
                || (name.Length == 64 && !referenced.Contains(name));
            if (!unused)
            {
                continue;
            }

            var lockPath = Path.Combine(directory, RootfsStore.LockName);
            using (var held = StoreLock.TryTake(lockPath, exclusive: true))
            {
                if (held is null && File.Exists(lockPath))
                {
                    continue; // In use by a run, or a build in progress.
                }

                var size = RootfsStore.ReadRecord(Path.Combine(directory, RootfsStore.RecordName))?.SizeBytes ?? 0;
                var trash = name.StartsWith(RootfsStore.TrashPrefix, StringComparison.Ordinal)
                    ? directory
                    : Path.Combine(store.Root, RootfsStore.TrashPrefix + "p-" + Guid.NewGuid().ToString("N")[..12]);
                if (trash != directory)
                {
                    Directory.Move(directory, trash);
                }

                held?.Dispose();
                if (TreeRemoval.Remove(trash))
                {
                    removed++;
                    bytes += size;
                }
            }
        }

        return new PruneReport(removed, bytes);
    }
}

/// <summary>Deletes a tree without following a symlink out of it.</summary>
internal static class TreeRemoval
{
    public static bool Remove(string path)
    {
        try
        {
            // .NET removes a symlink itself, never what it points to, and does not descend through one.
            Directory.Delete(path, recursive: true);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false; // Left for the next prune.
        }
    }
}
