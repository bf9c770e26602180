using System.Diagnostics;
using Aisbx.Core.Configuration;
using Aisbx.Core.Profiles;
using Aisbx.Core.Rootfs;
using Aisbx.Sandbox.Host;

namespace Aisbx.Sandbox.Rootfs;

/// <summary>
/// <c>aisbx build</c>: makes a profile's tree in a staging directory of the store, finishes it, and swaps it in
/// under the hash of its inputs. A tree of the same inputs already there makes the build a no-op. One build per tree
/// at a time, across processes (a lock per hash): a second caller waits and then finds it built. A failed,
/// cancelled or timed-out build leaves nothing behind.
/// </summary>
public sealed class RootfsBuilder(AisbxConfig config)
{
    public RootfsStore Store { get; } = new(config);

    public async Task<BuildOutcome> BuildAsync(Profile profile, bool force, IProgress<BuildProgress>? progress, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        if (!profile.Rootfs.IsBuilt)
        {
            return new BuildOutcome(Store.Status(profile), Cached: true, clock.Elapsed, []);
        }

        var inputs = TreeInputs.Of(profile.Rootfs, config);
        Store.EnsureLayout();
        using var buildLock = await StoreLock.TakeAsync(Path.Combine(Store.LocksDirectory, inputs.Hash), exclusive: true,
            () => progress?.Report(BuildProgress.Starting("waiting for another build of this tree")), cancellationToken).ConfigureAwait(false);

        var existing = RootfsStore.ReadRecord(Path.Combine(Store.Root, inputs.Hash, RootfsStore.RecordName));
        if (existing is not null && !force)
        {
            Point(profile, existing);
            return new BuildOutcome(Store.Status(profile), Cached: true, clock.Elapsed, []);
        }

        var staging = Path.Combine(Store.Root, RootfsStore.StagingPrefix + inputs.Hash[..12] + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(staging);
        IReadOnlyList<string> notes;
        try
        {
            using (StoreLock.TryTake(Path.Combine(staging, RootfsStore.LockName), exclusive: true, create: true))
            {
                var tree = Path.Combine(staging, RootfsStore.TreeName);
                var (made, importedBytes) = await MakeTreeAsync(profile.Rootfs, inputs, tree, progress, cancellationToken).ConfigureAwait(false);
                progress?.Report(BuildProgress.Starting("finishing"));
                var fromPackages = profile.Rootfs.Kind == RootfsKind.Packages;
                var (walkedBytes, neutralised) = TreeFinisher.Finish(tree, walk: fromPackages);
                var bytes = fromPackages ? walkedBytes : importedBytes;
                notes = [.. made, .. neutralised];
                var record = new TreeRecord(inputs.Hash, profile.Name, DateTimeOffset.UtcNow, bytes, inputs.Text);
                RootfsStore.WriteRecord(Path.Combine(staging, RootfsStore.RecordName), record);
                StoreSwap.Commit(Store, staging, inputs.Hash);
                Point(profile, record);
            }
        }
        catch
        {
            TreeRemoval.Remove(staging);
            throw;
        }

        progress?.Report(BuildProgress.Starting("removing unused trees"));
        StorePrune.Run(Store, knownProfiles: null);
        return new BuildOutcome(Store.Status(profile), Cached: false, clock.Elapsed, notes);
    }

    /// <summary>Removes trees no profile uses (and pointers of profiles that no longer exist), leaving those in use.</summary>
    public PruneReport Prune(IEnumerable<Profile> profiles) => StorePrune.Run(Store, profiles);

    /// <summary>Whether this host has mmdebstrap, which package trees are built with.</summary>
    public static bool CanBuildPackages => DebianTreeBuilder.Tool is not null;

    private async Task<(IReadOnlyList<string> Notes, long Bytes)> MakeTreeAsync(RootfsSpec spec, TreeInputs inputs, string tree, IProgress<BuildProgress>? progress, CancellationToken cancellationToken)
    {
        var timeout = config.RootfsBuilds.BuildTimeout;
        if (spec.Kind == RootfsKind.Packages)
        {
            await DebianTreeBuilder.BuildAsync(spec, inputs, tree, config.CacheDirectory, timeout, progress, cancellationToken).ConfigureAwait(false);
            return ([], 0);
        }

        var report = await Images.ImageImporter.ImportAsync(TreeInputs.ImagePath(spec, config), tree, config, progress, cancellationToken).ConfigureAwait(false);
        return (report.Neutralised, report.SizeBytes);
    }

    private void Point(Profile profile, TreeRecord record) =>
        RootfsStore.WriteRecord(Store.PointerPath(profile.Name), record with { Profile = profile.Name });
}
