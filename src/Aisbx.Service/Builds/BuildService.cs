using System.Text.Json;
using Aisbx.Core;
using Aisbx.Core.Policy;
using Aisbx.Core.Profiles;
using Aisbx.Core.Security;
using Aisbx.Sandbox.Rootfs;
using Aisbx.Sandbox.Seccomp;
using Aisbx.Service.Sandboxes;

namespace Aisbx.Service.Builds;

/// <summary>
/// Builds a profile's tree, the same for <c>aisbx-build</c> and <c>POST /v1/builds</c>: scope <c>build</c>, the
/// arguments <c>profile</c> and <c>force</c>, then a job (<see cref="BuildJobs"/>) that builds the tree through the
/// engine and compiles and caches the profile's syscall filter, so that the first run pays neither. Each call is on
/// the record; so is each job's end (<see cref="EndedKind"/>), once, whoever waited for it.
/// </summary>
public sealed class BuildService : IDisposable
{
    public const string NotFound = "not-found";

    /// <summary>The engine could not make the tree (a package that does not exist, no network to the mirror...).</summary>
    public const string Failed = "build-failed";

    public const string Cancelled = "build-cancelled";

    /// <summary>The kind of the event that says how a build job ended.</summary>
    public const string EndedKind = "build-ended";

    private static readonly string[] Known = ["force", "profile"];

    private readonly ServiceContext _context;
    private readonly RootfsBuilder _builder;

    public BuildService(ServiceContext context)
    {
        _context = context;
        _builder = new RootfsBuilder(context.Config);
    }

    public BuildJobs Jobs { get; } = new();

    /// <summary>Starts a build job, or joins the one already building the profile; the job goes on whatever becomes of the caller.</summary>
    /// <param name="words">The surface's words for this operation, e.g. <c>JsonVocabulary.Rest.For("POST /v1/builds")</c>.</param>
    public ServiceOutcome<BuildJobStatus> Start(CallerIdentity caller, IReadOnlyDictionary<string, JsonElement>? arguments, JsonVocabulary words)
    {
        var started = StartJob(caller, arguments, words);
        return started.Succeeded ? ServiceOutcome.Ok(started.Value.Job.Status(started.Value.Joined)) : ServiceOutcome.Refused<BuildJobStatus>(started.Rule, started.Refusal);
    }

    /// <summary>Starts or joins a build and waits for its end, reporting its progress; the caller's cancel stops the wait, not the build.</summary>
    public async Task<ServiceOutcome<BuildReport>> BuildAsync(
        CallerIdentity caller, IReadOnlyDictionary<string, JsonElement>? arguments, JsonVocabulary words, IProgressReporter? progress, CancellationToken cancellationToken)
    {
        var started = StartJob(caller, arguments, words);
        if (!started.Succeeded)
        {
            return ServiceOutcome.Refused<BuildReport>(started.Rule, started.Refusal);
        }

        var job = started.Value.Job;
        if (progress is null)
        {
            return await job.Ended.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        await new BuildProgressForwarder(job, progress).RunAsync(cancellationToken).ConfigureAwait(false);
        return await job.Ended.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A job of the caller's (one it started or joined): its state, progress, log tail and, once ended, outcome.</summary>
    public ServiceOutcome<BuildJobStatus> Status(CallerIdentity caller, string? id)
    {
        if (!caller.Allows(Scopes.Build))
        {
            Record(caller, "build-status refused: scope", "refused", "-");
            return ServiceOutcome.Refused<BuildJobStatus>(ServiceRules.Scope, caller.ScopeRefusal(Scopes.Build));
        }

        if (Jobs.Find(id, SandboxOwner.Of(caller)) is not { } job)
        {
            Record(caller, $"build-status refused: {NotFound}", "refused", "-");
            return ServiceOutcome.Refused<BuildJobStatus>(NotFound, NotFoundMessage);
        }

        Record(caller, $"build-status ok: {job.Id}", "read", job.Profile);
        return ServiceOutcome.Ok(job.Status());
    }

    /// <summary>
    /// Cancels every running build and waits for the engine to stop its tools and remove the partial trees: up to
    /// <paramref name="grace"/>, but at least <see cref="CleanupGrace"/>, as a build tool gets seconds to stop.
    /// </summary>
    public Task StopAllAsync(TimeSpan grace) => Jobs.StopAllAsync(grace > CleanupGrace ? grace : CleanupGrace);

    public static readonly TimeSpan CleanupGrace = TimeSpan.FromSeconds(20);

    public void Dispose() => Jobs.Dispose();

    /// <summary>The same words for every id that is not the caller's: nothing in them tells whether it exists.</summary>
    public const string NotFoundMessage =
        "refused (not-found): no such build is here: give the id that POST /v1/builds returned, or start the build again";

    private ServiceOutcome<StartedJob> StartJob(CallerIdentity caller, IReadOnlyDictionary<string, JsonElement>? arguments, JsonVocabulary words)
    {
        if (!caller.Allows(Scopes.Build))
        {
            Record(caller, "build refused: scope", "refused", "-");
            return ServiceOutcome.Refused<StartedJob>(ServiceRules.Scope, caller.ScopeRefusal(Scopes.Build));
        }

        Profile profile;
        bool force;
        try
        {
            (profile, force) = Read(arguments, words);
        }
        catch (ToolArgumentException ex)
        {
            Record(caller, $"build refused: {ex.Rule}", "refused", "-");
            return ServiceOutcome.Refused<StartedJob>(ex.Rule, $"refused ({ex.Rule}): {ex.Message}");
        }
        catch (PolicyRefusal refusal)
        {
            Record(caller, $"build refused: {refusal.Rule}", "refused", "-");
            return ServiceOutcome.Refused<StartedJob>(refusal.Rule, $"refused ({refusal.Rule}): {_context.Scrub(refusal.PublicMessageIn(words))}");
        }
        catch (AisbxException ex)
        {
            // A profile file the operator wrote that cannot be used.
            Record(caller, "build failed: error", "failed", "-");
            return ServiceOutcome.Refused<StartedJob>(ServiceRules.Error, _context.Scrub(ex.Message));
        }

        if (Jobs.StartOrJoin(profile.Name, force, SandboxOwner.Of(caller), Scrub, (job, stopping) => RunAsync(job, profile, caller, stopping)) is not { } started)
        {
            Record(caller, "build refused: stopping", "refused", profile.Name);
            return ServiceOutcome.Refused<StartedJob>(ServiceRules.Busy, "refused (busy): the server is stopping: start the build again once it is back");
        }

        var verb = started.Joined ? "joined" : "started";
        Record(caller, $"build {verb}: {profile.Name} {started.Job.Id}", verb, profile.Name);
        return ServiceOutcome.Ok(new StartedJob(started.Job, started.Joined));
    }

    private (Profile Profile, bool Force) Read(IReadOnlyDictionary<string, JsonElement>? arguments, JsonVocabulary words)
    {
        if (arguments is null || !arguments.TryGetValue("profile", out var value) || value.ValueKind != JsonValueKind.String)
        {
            throw new ToolArgumentException($"'profile' is required and must be a string, e.g. \"python-dev\"; see {words.ProfileList}");
        }

        JsonFields.RejectUnknown(arguments, Known, words);
        var force = JsonFields.Boolean(arguments, "force") ?? false;
        return (_context.Runner.Profiles.Get(value.GetString()!), force);
    }

    private async Task<(BuildJobState, ServiceOutcome<BuildReport>)> RunAsync(BuildJob job, Profile profile, CallerIdentity starter, CancellationToken stopping)
    {
        try
        {
            var outcome = await _builder.BuildAsync(profile, job.Force, new DirectProgress(job.Report), stopping).ConfigureAwait(false);
            var missing = _context.Runner.MissingTools(profile);
            var instructions = SeccompProgram.For(profile.Name, profile.Syscalls).Length / 8;
            var tree = BuildTree.Of(outcome.Tree);
            var report = new BuildReport(
                profile.Name, missing.Count == 0, tree, outcome.Cached, Math.Round(outcome.Took.TotalMilliseconds, 1), [.. outcome.Notes.Select(Scrub)],
                profile.Toolchain, missing, missing.Count == 0 ? null : profile.InstallHint, instructions);
            var what = outcome.Tree.State == TreeState.Host ? "host" : outcome.Cached ? $"up to date {tree.ShortHash}" : $"built {tree.ShortHash} in {outcome.Took.TotalSeconds:0.0} s";
            End(starter, job, $"build succeeded: {profile.Name} {what}", "built");
            return (BuildJobState.Succeeded, ServiceOutcome.Ok(report));
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            End(starter, job, $"build cancelled: {profile.Name}", "cancelled");
            return (BuildJobState.Cancelled, ServiceOutcome.Refused<BuildReport>(Cancelled,
                $"refused ({Cancelled}): the server stopped while {profile.Name} was being built; the partial tree was removed: start the build again"));
        }
        catch (BuildFailedException ex)
        {
            End(starter, job, $"build failed: {profile.Name} ({Failed})", "failed");
            return (BuildJobState.Failed, ServiceOutcome.Refused<BuildReport>(Failed, $"the build of {profile.Name} failed: {Scrub(ex.Message)}"));
        }
        catch (AisbxException ex)
        {
            End(starter, job, $"build failed: {profile.Name} ({ServiceRules.Error})", "failed");
            return (BuildJobState.Failed, ServiceOutcome.Refused<BuildReport>(ServiceRules.Error, Scrub(ex.Message)));
        }
        catch (Exception ex)
        {
            End(starter, job, $"build failed: {profile.Name} (internal-error {ex.GetType().Name})", "failed");
            return (BuildJobState.Failed, ServiceOutcome.Fault<BuildReport>("build", ex));
        }
    }

    /// <summary>Host paths of the store and the package cache (which config.toml may put anywhere) and of the config directory, hidden.</summary>
    private string Scrub(string text) => _context.Scrub(text
        .Replace(_context.Config.RootfsStore, "<store>", StringComparison.Ordinal)
        .Replace(_context.Config.CacheDirectory, "<cache>", StringComparison.Ordinal));

    private void Record(CallerIdentity caller, string detail, string action, string profile) =>
        _context.RecordCall(caller, detail, action, profile);

    private void End(CallerIdentity starter, BuildJob job, string detail, string action) =>
        _context.Log.Publish(new SecurityEvent(EndedKind, $"{detail} ({job.Id})", Severity.Low, action, null, job.Profile, starter.Name, DateTimeOffset.UtcNow));

    private sealed record StartedJob(BuildJob Job, bool Joined);

    /// <summary>Reports on the builder's own thread, in order (<see cref="Progress{T}"/> would post each report to the pool, out of order).</summary>
    private sealed class DirectProgress(Action<BuildProgress> report) : IProgress<BuildProgress>
    {
        public void Report(BuildProgress value) => report(value);
    }
}
