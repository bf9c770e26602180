using System.Collections.Immutable;
using System.Text;
using Aisbx.Core.Configuration;
using Aisbx.Core.Profiles;
using Aisbx.Core.Runs;
using Aisbx.Core.Security;
using Aisbx.Sandbox.Pool;

namespace Aisbx.Sandbox.Tests.Pool;

/// <summary>A runner with a warm pool over the fixture's config, and one-shot runs through it.</summary>
internal sealed class PooledRuns : IDisposable
{
    /// <param name="journalPath">The pool's memory of its profiles; by default one of its own, removed with it.</param>
    /// <param name="ownWorkspaces">
    /// Fresh workspaces in a base of this pool's own (<see cref="WorkspaceBase"/>), for a spec that counts them: the
    /// host-wide one also gets those of every other spec running meanwhile.
    /// </param>
    public PooledRuns(SandboxFixture sandbox, int size = 1, Func<PoolSettings, PoolSettings>? change = null, string? journalPath = null, bool ownWorkspaces = false)
    {
        var settings = PoolSettings.Default with { Size = size };
        WorkspaceBase = ownWorkspaces ? Path.Combine(Path.GetTempPath(), "aisbx-pool-workspaces-" + Guid.NewGuid().ToString("N")) : sandbox.Config.WorkspaceBase;
        _ownWorkspaceBase = ownWorkspaces;
        Runner = new SandboxRunner(sandbox.Config with { Pool = change?.Invoke(settings) ?? settings, WorkspaceBase = WorkspaceBase }, new ProfileCatalog(sandbox.Config.ProfilesDirectory));
        _ownJournal = journalPath is null ? Path.Combine(Path.GetTempPath(), "aisbx-pool-profiles-" + Guid.NewGuid().ToString("N")) : null;
        Pool = new WarmPool(Runner, journalPath ?? _ownJournal);
    }

    private readonly string? _ownJournal;
    private readonly bool _ownWorkspaceBase;

    /// <summary>Where the pool's fresh workspaces are made.</summary>
    public string WorkspaceBase { get; }

    /// <summary>The workspaces in <see cref="WorkspaceBase"/> now.</summary>
    public string[] Workspaces() => Directory.Exists(WorkspaceBase) ? Directory.GetDirectories(WorkspaceBase) : [];

    public SandboxRunner Runner { get; }

    public WarmPool Pool { get; }

    public List<SecurityEvent> Events { get; } = [];

    public static RunRequest Request(string script, string profile = "default") =>
        new() { Command = ["/bin/sh", "-c", script], Profile = profile, CaptureOutput = true, Caller = "test" };

    public Task<PooledRun> RunAsync(RunRequest request, string? stdin = null) =>
        Runner.RunPooledAsync(Pool, request, new RunIo
        {
            Stdin = stdin is null ? null : new MemoryStream(Encoding.UTF8.GetBytes(stdin)),
            Events = new ListSink(Events),
        }, TestContext.Current.CancellationToken);

    /// <summary>A run that must have had a waiting sandbox: waits for the pool to have one first.</summary>
    public async Task<RunResult> HitAsync(RunRequest request, string? stdin = null)
    {
        await WaitReadyAsync(request.Profile);
        var run = await RunAsync(request, stdin);
        Assert.Null(run.MissReason);
        return run.Result!;
    }

    public async Task WaitReadyAsync(string profile, int count = 1)
    {
        var giveUp = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        if (!Pool.Ready.Any(p => p.Profile == profile))
        {
            // The profile's first use starts its pool, and waits for the first of them.
            Assert.Null((await RunAsync(Request("true", profile))).MissReason);
        }

        // ...and for the used ones to be gone, so that only the waiting sandboxes hold workspaces.
        while (Pool.Ready.FirstOrDefault(p => p.Profile == profile).Ready < count || Pool.Retiring > 0)
        {
            Assert.True(DateTime.UtcNow < giveUp, $"the pool of {profile} did not fill in 60 s");
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }

    public void Dispose()
    {
        Pool.Dispose();
        if (_ownJournal is not null)
        {
            File.Delete(_ownJournal);
        }

        if (_ownWorkspaceBase && Directory.Exists(WorkspaceBase))
        {
            Directory.Delete(WorkspaceBase, recursive: true);
        }
    }

    private sealed class ListSink(List<SecurityEvent> events) : ISecurityEventSink
    {
        public void Publish(SecurityEvent securityEvent)
        {
            lock (events)
            {
                events.Add(securityEvent);
            }
        }
    }
}
