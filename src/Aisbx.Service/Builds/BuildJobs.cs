using System.Security.Cryptography;

namespace Aisbx.Service.Builds;

/// <summary>
/// The builds of a server: at most one job per profile at a time (a second caller joins the running one), each
/// running on its own, apart from the request that started it, until it ends or the server stops. The last
/// <see cref="Kept"/> ended jobs stay to be looked at.
/// </summary>
public sealed class BuildJobs : IDisposable
{
    public const int Kept = 100;

    private readonly object _gate = new();
    private readonly Dictionary<string, BuildJob> _byId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, BuildJob> _running = new(StringComparer.Ordinal);
    private readonly Queue<BuildJob> _ended = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly TimeProvider _time;

    public BuildJobs(TimeProvider? time = null) => _time = time ?? TimeProvider.System;

    /// <summary>Ids are <c>bld-</c> and 128 random bits: knowing one is what lets a caller look at it, besides being its owner.</summary>
    public static bool IsWellFormed(string? id) =>
        id is { Length: 36 } && id.StartsWith("bld-", StringComparison.Ordinal) && !id.AsSpan(4).ContainsAnyExcept(LowerHex);

    private static readonly System.Buffers.SearchValues<char> LowerHex = System.Buffers.SearchValues.Create("0123456789abcdef");

    /// <summary>
    /// The running job of <paramref name="profile"/>, joined; or a new job that runs <paramref name="build"/> on a
    /// thread-pool thread, with a token that only the server's stop cancels. Null once the server is stopping.
    /// </summary>
    public (BuildJob Job, bool Joined)? StartOrJoin(
        string profile, bool force, string owner, Func<string, string> scrub, Func<BuildJob, CancellationToken, Task<(BuildJobState, ServiceOutcome<BuildReport>)>> build)
    {
        BuildJob job;
        lock (_gate)
        {
            if (_stopping.IsCancellationRequested)
            {
                return null;
            }

            if (_running.TryGetValue(profile, out var running))
            {
                running.Join(owner);
                return (running, true);
            }

            job = new BuildJob("bld-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)), profile, force, owner, _time.GetUtcNow(), scrub);
            _byId[job.Id] = job;
            _running[profile] = job;
        }

        // Not the caller's context: the job outlives the request (and whatever it carried) that started it.
        using (ExecutionContext.SuppressFlow())
        {
            _ = Task.Run(() => RunAsync(job, build));
        }

        return (job, false);
    }

    /// <summary>The job with this id, if <paramref name="owner"/> started or joined it; null otherwise, whether or not it exists.</summary>
    public BuildJob? Find(string? id, string owner)
    {
        if (!IsWellFormed(id))
        {
            return null;
        }

        lock (_gate)
        {
            return _byId.TryGetValue(id!, out var job) && job.IsOwnedBy(owner) ? job : null;
        }
    }

    /// <summary>The server stops: every running build is cancelled (the engine removes its partial tree), and waited for up to <paramref name="grace"/>.</summary>
    public async Task StopAllAsync(TimeSpan grace)
    {
        Task[] running;
        lock (_gate)
        {
            running = [.. _running.Values.Select(j => (Task)j.Ended)];
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        await Task.WhenAny(Task.WhenAll(running), Task.Delay(grace)).ConfigureAwait(false);
    }

    public void Dispose() => _stopping.Dispose();

    private async Task RunAsync(BuildJob job, Func<BuildJob, CancellationToken, Task<(BuildJobState, ServiceOutcome<BuildReport>)>> build)
    {
        (BuildJobState State, ServiceOutcome<BuildReport> Outcome) ended;
        try
        {
            ended = await build(job, _stopping.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            ended = (BuildJobState.Failed, ServiceOutcome.Fault<BuildReport>("build", ex));
        }

        // Ended before it leaves the running ones: a caller who joins at this moment gets its outcome at once.
        job.End(ended.State, ended.Outcome, _time.GetUtcNow());
        lock (_gate)
        {
            _running.Remove(job.Profile);
            _ended.Enqueue(job);
            while (_ended.Count > Kept)
            {
                _byId.Remove(_ended.Dequeue().Id);
            }
        }
    }
}
