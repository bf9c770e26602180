using Aisbx.Core.Policy;
using Aisbx.Core.Profiles;
using Aisbx.Core.Runs;
using Aisbx.Core.Sandboxes;
using Aisbx.Core.Security;
using Aisbx.Sandbox.Bubblewrap;
using Aisbx.Sandbox.Host;
using Aisbx.Sandbox.Live;
using Aisbx.Sandbox.Pool;

namespace Aisbx.Sandbox;

/// <summary>One-shot runs in sandboxes of the warm pool: started ahead with the profile's plan, one run each.</summary>
public sealed partial class SandboxRunner
{
    /// <summary>Who a waiting sandbox belongs to until it is handed out (nothing runs in it before).</summary>
    private const string PoolCaller = "pool";

    /// <summary>A waiting sandbox has no idle timeout or lifetime of its own: the pool closes it.</summary>
    private static readonly TimeSpan UntilClosed = TimeSpan.FromDays(3650);

    /// <summary>
    /// Runs a one-shot request in a waiting sandbox of <paramref name="pool"/>, under the same policy, limits and
    /// events as <see cref="Run(RunRequest, RunIo, CancellationToken)"/>; the sandbox is destroyed after it. When the
    /// request cannot use one, nothing is started and the reason comes back: the caller runs it the usual way.
    /// </summary>
    /// <exception cref="PolicyRefusal">The request broke a rule; nothing was started.</exception>
    public async Task<PooledRun> RunPooledAsync(WarmPool pool, RunRequest request, RunIo io, CancellationToken cancellationToken)
    {
        if (PoolMiss.Before(request, io) is { } early)
        {
            return PooledRun.Missed(early);
        }

        var events = new RunEvents(io.Events, lockout, request.Caller);
        try
        {
            lockout?.EnsureAllowed(request.Caller);
            var approved = RunPolicy.Approve(request, profiles, config);
            if (approved.Network != approved.Profile.Network || approved.Network == NetworkMode.Allowlist)
            {
                return PooledRun.Missed(PoolMiss.Network);
            }

            var (pooled, miss) = await pool.TakeAsync(approved.Profile.Name, cancellationToken).ConfigureAwait(false);
            if (pooled is null)
            {
                return PooledRun.Missed(miss!);
            }

            var sandbox = pooled.Sandbox;
            try
            {
                if (!ReferenceEquals(pooled.Profile, approved.Profile) || pooled.TreeVersion != Trees.Version(approved.Profile))
                {
                    pool.CloseWaiting(approved.Profile.Name);
                    return PooledRun.Missed(PoolMiss.Stale);
                }

                io.Accepted?.Invoke();
                return PooledRun.Ran(await RunInAsync(sandbox, approved, io, events, cancellationToken).ConfigureAwait(false));
            }
            finally
            {
                pool.Done(pooled, approved.Profile.Name);
            }
        }
        catch (PolicyRefusal refusal)
        {
            events.Publish(SecurityEventKind.Refusal, refusal.Rule, refusal.Rule == CallerLockout.Rule ? Severity.High : Severity.Medium, "refused", null, request.Profile, count: false);
            throw;
        }
    }

    private static async Task<RunResult> RunInAsync(LiveSandbox sandbox, ApprovedRun approved, RunIo io, RunEvents events, CancellationToken cancellationToken)
    {
        var request = approved.Request;
        var env = LaunchPlanBuilder.ProxyEnvironment(allowlist: false).SetItems(approved.Profile.Env).SetItems(request.Env);
        var plan = sandbox.Plan with { Command = request.Command, Env = [.. env], Limits = approved.Limits };
        var lookup = CommandResolver.Resolve(plan, HostProbe.Probe);
        if (lookup != CommandLookup.Found)
        {
            Output.OutputSink stderr = request.CaptureOutput ? new Output.CapturingSink(approved.Limits.OutputBytes) : new Output.StreamingSink(io.Stderr!);
            stderr.Write(System.Text.Encoding.UTF8.GetBytes(CommandResolver.NotFoundMessage(plan, approved.Profile, lookup, request.Env) + "\n"));
            return Results.RunResultBuilder.Empty(plan, new Output.CapturingSink(0), stderr) with
            {
                ExitCode = lookup == CommandLookup.NotFound ? ExitCodes.NotFound : ExitCodes.CannotExecute,
            };
        }

        WorkspaceFiles.Place(sandbox.HostWorkspace!.HostPath, request.Files, plan.RunAs);
        sandbox.HandOut(events, approved.Limits);
        var streams = request.CaptureOutput ? null : new PassedThrough(io.StdinPipe, new Output.StreamingSink(io.Stdout!), new Output.StreamingSink(io.Stderr!));
        var stdin = io.Stdin is null ? ReadOnlyMemory<byte>.Empty : await ReadAllAsync(io.Stdin, cancellationToken).ConfigureAwait(false);
        var result = await sandbox.ExecAsync(new LiveExecRequest { Command = request.Command, Env = env, Stdin = stdin, Streams = streams }, cancellationToken).ConfigureAwait(false);
        return result with { Network = sandbox.Network };
    }

    /// <summary>Starts a sandbox for the pool: the profile's own limits and network, a fresh host workspace, the agent waiting.</summary>
    internal async Task<PooledSandbox> StartPooledAsync(string profileName, CancellationToken cancellationToken)
    {
        var approved = RunPolicy.Approve(new RunRequest { Command = [LaunchPlan.LauncherPath], Profile = profileName, Caller = PoolCaller }, profiles, config);
        var treeVersion = Trees.Version(approved.Profile);
        var runAs = SandboxIdentity.For(config);
        var sandboxId = LiveHandles.New();
        var rootfs = Trees.Acquire(approved.Profile);
        SandboxLease? lease = null;
        Workspace? workspace = null;
        LiveSandbox sandbox;
        try
        {
            lease = SandboxLease.Take(config, sandboxId);
            workspace = Workspace.CreateFresh(config, runAs, lease, sandboxId);
            var plan = _planBuilder.Build(approved, sandboxId, workspace.HostPath, runAs, system: rootfs) with { Agent = true };
            sandbox = new LiveSandbox(plan, approved.Limits, config.Sandboxes, UntilClosed, UntilClosed, PoolCaller, new RunEvents(null, null, PoolCaller),
                (exec, _) => [.. exec.Env]) { Holds = new PoolHoldings(workspace, rootfs), Lease = lease, HostWorkspace = workspace };
        }
        catch
        {
            workspace?.Dispose();
            lease?.Dispose();
            rootfs.Dispose();
            throw;
        }

        // From here the sandbox's own thread gives everything back when it ends.
        try
        {
            await sandbox.StartAsync(config, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            sandbox.Close(SandboxEnd.ServerStopped);
            throw;
        }

        return new PooledSandbox(sandbox, approved.Profile, treeVersion);
    }

    private static async Task<ReadOnlyMemory<byte>> ReadAllAsync(Stream stdin, CancellationToken cancellationToken)
    {
        if (stdin is MemoryStream memory && memory.TryGetBuffer(out var buffer))
        {
            return buffer.AsMemory((int)memory.Position);
        }

        using var copy = new MemoryStream();
        await stdin.CopyToAsync(copy, cancellationToken).ConfigureAwait(false);
        return copy.GetBuffer().AsMemory(0, (int)copy.Length);
    }
}
