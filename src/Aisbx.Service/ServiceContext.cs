using Aisbx.Core.Configuration;
using Aisbx.Core.Profiles;
using Aisbx.Core.Security;
using Aisbx.Sandbox;
using Aisbx.Service.Runs;

namespace Aisbx.Service;

/// <summary>
/// What the services share for the life of the server, whatever surface calls them: the runner (config, profiles,
/// lockout), where every call and security event is recorded, and the runs in flight, which end with the server.
/// </summary>
public sealed class ServiceContext(AisbxConfig config, ISecurityEventSink log) : IDisposable
{
    public AisbxConfig Config => config;

    public SandboxRunner Runner { get; } = new(
        config,
        new ProfileCatalog(config.ProfilesDirectory),
        new CallerLockout(config.Lockout, new MemoryLockoutStore(), TimeProvider.System),
        new Core.Secrets.ConfigSecretSource(config));

    public ISecurityEventSink Log => log;

    private Sandbox.Pool.WarmPool? _pool;

    /// <summary>Sandboxes started ahead for one-shot runs (<c>[pool]</c>): for a profile after its first run, or at start for those used within <c>keep_for</c>.</summary>
    public Sandbox.Pool.WarmPool Pool => LazyInitializer.EnsureInitialized(ref _pool, () => new(Runner));

    public RunTracker Runs { get; } = new();

    private Sandboxes.SandboxService? _sandboxes;

    /// <summary>The live sandboxes of this server, and their operations.</summary>
    public Sandboxes.SandboxService Sandboxes => LazyInitializer.EnsureInitialized(ref _sandboxes, () => new(this, new Sandboxes.SandboxRegistry(config.Sandboxes)));

    private Builds.BuildService? _builds;

    /// <summary>The build jobs of this server (one per profile at a time), and their operations.</summary>
    public Builds.BuildService Builds => LazyInitializer.EnsureInitialized(ref _builds, () => new(this));

    /// <summary>The server's concurrency caps; none over stdio.</summary>
    public IRunGate? Gate { get; init; }

    public IRunObserver? Observer { get; init; }

    /// <summary>
    /// Puts one call on the record as a <c>tool-call</c> event, whatever came of it: every service method calls this
    /// once per call, so that each surface leaves the same record.
    /// </summary>
    /// <param name="detail">What was called and how it ended, e.g. <c>build refused: scope</c>.</param>
    /// <param name="action">What aisbx did: <c>ran</c>, <c>listed</c>, <c>built</c>, <c>refused</c>, <c>failed</c>.</param>
    /// <param name="profile">The profile concerned, or <c>-</c>.</param>
    public void RecordCall(CallerIdentity caller, string detail, string action, string profile, string? sandboxId = null) =>
        log.Publish(new SecurityEvent(SecurityEventKind.ToolCall, detail, Severity.Low, action, sandboxId, profile, caller.Name, DateTimeOffset.UtcNow));

    /// <summary>Replaces the host paths of aisbx's own directories in a message meant for a remote caller.</summary>
    public string Scrub(string message) => message
        .Replace(config.ConfigDirectory, "<config>", StringComparison.Ordinal)
        .Replace(config.WorkspaceBase, "<workspaces>", StringComparison.Ordinal)
        .Replace(config.CallerHome + "/", "~/", StringComparison.Ordinal);

    /// <summary>The server stops: every run, build and live sandbox ends, and is recorded, within <paramref name="grace"/>.</summary>
    public async Task StopAllAsync(TimeSpan grace)
    {
        var sandboxes = _sandboxes?.StopAllAsync(grace) ?? Task.CompletedTask;
        var pool = _pool?.StopAsync() ?? Task.CompletedTask;
        var builds = _builds?.StopAllAsync(grace) ?? Task.CompletedTask;
        await Runs.StopAllAsync(grace).ConfigureAwait(false);
        await Task.WhenAll(sandboxes, builds, Task.WhenAny(pool, Task.Delay(grace))).ConfigureAwait(false);
    }

    public void Dispose()
    {
        Runs.Dispose();
        _pool?.Dispose();
        _sandboxes?.Registry.Dispose();
        _builds?.Dispose();
    }
}
