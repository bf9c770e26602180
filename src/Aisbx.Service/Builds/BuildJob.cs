using Aisbx.Sandbox.Rootfs;

namespace Aisbx.Service.Builds;

/// <summary>
/// One build of one profile, shared by everyone who asked for it while it ran: its progress (each change handed to
/// the subscribers), the last <see cref="LogLines"/> lines of the builder's output, and how it ended. Thread-safe:
/// the build reports from its own thread while callers read.
/// </summary>
public sealed class BuildJob
{
    public const int LogLines = 50;

    private readonly object _gate = new();
    private readonly HashSet<string> _owners;
    private readonly Queue<string> _log = new();
    private readonly List<Action<BuildProgress>> _subscribers = [];
    private readonly TaskCompletionSource<ServiceOutcome<BuildReport>> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Func<string, string> _scrub;
    private BuildProgress _progress = BuildProgress.Starting("starting");
    private string? _lastLine;
    private BuildJobState _state = BuildJobState.Running;
    private DateTimeOffset? _endedAt;

    internal BuildJob(string id, string profile, bool force, string owner, DateTimeOffset startedAt, Func<string, string> scrub)
    {
        Id = id;
        Profile = profile;
        Force = force;
        StartedAt = startedAt;
        _owners = [owner];
        _scrub = scrub;
    }

    public string Id { get; }

    public string Profile { get; }

    public bool Force { get; }

    public DateTimeOffset StartedAt { get; }

    /// <summary>The report, or the refusal with its rule, once the build has ended.</summary>
    public Task<ServiceOutcome<BuildReport>> Ended => _ended.Task;

    public BuildJobState State
    {
        get
        {
            lock (_gate)
            {
                return _state;
            }
        }
    }

    public BuildProgress Progress
    {
        get
        {
            lock (_gate)
            {
                return _progress;
            }
        }
    }

    public bool IsOwnedBy(string owner)
    {
        lock (_gate)
        {
            return _owners.Contains(owner);
        }
    }

    /// <summary>Another caller asked for this build: it may now look at the job too.</summary>
    internal void Join(string owner)
    {
        lock (_gate)
        {
            _owners.Add(owner);
        }
    }

    /// <summary>Calls <paramref name="onChange"/> with the progress now and at each change of phase, packages or bytes, until disposed.</summary>
    public IDisposable Subscribe(Action<BuildProgress> onChange)
    {
        BuildProgress now;
        lock (_gate)
        {
            _subscribers.Add(onChange);
            now = _progress;
        }

        onChange(now);
        return new Subscription(this, onChange);
    }

    internal void Report(BuildProgress progress)
    {
        Action<BuildProgress>[] subscribers;
        lock (_gate)
        {
            if (progress.Line is { } line && !ReferenceEquals(line, _lastLine))
            {
                _lastLine = line;
                _log.Enqueue(Printable(_scrub(line)));
                if (_log.Count > LogLines)
                {
                    _log.Dequeue();
                }
            }

            var changed = progress.Phase != _progress.Phase || progress.Done != _progress.Done || progress.Total != _progress.Total || progress.Bytes != _progress.Bytes;
            _progress = progress;
            if (!changed || _state != BuildJobState.Running)
            {
                return;
            }

            subscribers = [.. _subscribers];
        }

        foreach (var subscriber in subscribers)
        {
            subscriber(progress);
        }
    }

    internal void End(BuildJobState state, ServiceOutcome<BuildReport> outcome, DateTimeOffset at)
    {
        lock (_gate)
        {
            _state = state;
            _endedAt = at;
            _subscribers.Clear();
            // Inside the lock, so that no status shows the state without the outcome (continuations run asynchronously).
            _ended.TrySetResult(outcome);
        }
    }

    /// <param name="joined">Whether the caller this status is for joined the job rather than started it.</param>
    public BuildJobStatus Status(bool joined = false)
    {
        lock (_gate)
        {
            var outcome = _ended.Task.IsCompletedSuccessfully ? _ended.Task.Result : null;
            return new BuildJobStatus(
                Id, Profile, _state.Name(), Force, joined, StartedAt, _endedAt,
                new BuildJobProgress(_progress.Phase, _progress.Done, _progress.Total, _progress.Bytes),
                [.. _log],
                outcome?.Value,
                outcome?.Refusal,
                outcome?.Rule);
        }
    }

    private void Unsubscribe(Action<BuildProgress> onChange)
    {
        lock (_gate)
        {
            _subscribers.Remove(onChange);
        }
    }

    /// <summary>The builder's output is the host's (mmdebstrap, apt): one printable line, at most 400 characters.</summary>
    private static string Printable(string line) =>
        new([.. line.Take(400).Select(c => char.IsControl(c) ? '?' : c)]);

    private sealed class Subscription(BuildJob job, Action<BuildProgress> onChange) : IDisposable
    {
        public void Dispose() => job.Unsubscribe(onChange);
    }
}
