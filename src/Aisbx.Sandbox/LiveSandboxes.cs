using System.Collections.Immutable;
using Aisbx.Core.Configuration;
using Aisbx.Core.Policy;
using Aisbx.Core.Profiles;
using Aisbx.Core.Runs;
using Aisbx.Core.Security;
using Aisbx.Core.Units;
using Aisbx.Sandbox.Bubblewrap;
using Aisbx.Sandbox.Host;
using Aisbx.Sandbox.Live;

namespace Aisbx.Sandbox;

/// <summary>Starting live sandboxes, under the same policy, identity and limits as runs.</summary>
public sealed partial class SandboxRunner
{
    /// <summary>Starts a live sandbox and waits until its agent is ready (and the request's files are written).</summary>
    /// <exception cref="PolicyRefusal">The request broke a rule; nothing was started.</exception>
    /// <exception cref="SandboxStartException">The sandbox could not start.</exception>
    public async Task<LiveSandbox> StartLiveAsync(LiveSandboxRequest request, ISecurityEventSink? events, CancellationToken cancellationToken)
    {
        var runEvents = new RunEvents(events, lockout, request.Caller);
        try
        {
            lockout?.EnsureAllowed(request.Caller);
            var settings = config.Sandboxes;
            var approved = RunPolicy.Approve(new RunRequest
            {
                Command = [LaunchPlan.LauncherPath],
                Profile = request.Profile,
                Env = request.Env,
                Network = request.Network,
                AllowHosts = request.AllowHosts,
                MemoryBytes = request.MemoryBytes,
                Pids = request.Pids,
                Caller = request.Caller,
            }, profiles, config);
            var profileLimits = approved.Profile.Limits;
            var limits = approved.Limits with
            {
                CpuTime = Lower(request.CpuTime, settings.CpuTime, "cpuTime"),
                IdleTimeout = Lower(request.IdleTimeout, Min(settings.IdleTimeout, profileLimits.IdleTimeout), "idleTimeout"),
                MaxLifetime = Lower(request.MaxLifetime, Min(settings.MaxLifetime, profileLimits.MaxLifetime), "maxLifetime"),
            };
            FilesPolicy.Check(new RunRequest { Command = [LaunchPlan.LauncherPath], Files = request.Files }, config.RequestLimits);

            var rootfs = Trees.Acquire(approved.Profile);
            Egress.SandboxEgress? egress = null;
            LiveSandbox sandbox;
            try
            {
                var plan = _planBuilder.Build(approved with { Limits = limits }, LiveHandles.New(), null, SandboxIdentity.For(config), settings.WorkspaceBytes, rootfs) with { Agent = true };
                egress = Egress.SandboxEgress.For(approved, config, runEvents, plan.SandboxId);
                sandbox = new LiveSandbox(plan, limits, settings, limits.IdleTimeout!.Value, limits.MaxLifetime!.Value, request.Caller, runEvents,
                    (exec, livePlan) => ApproveExec(exec, livePlan, request)) { Holds = rootfs, Egress = egress };
            }
            catch
            {
                // Until the sandbox holds them, the lease and the proxy are this method's to give back.
                rootfs.Dispose();
                egress?.Dispose();
                throw;
            }

            await sandbox.StartAsync(config, cancellationToken).ConfigureAwait(false);
            try
            {
                foreach (var (path, text) in request.Files)
                {
                    await sandbox.WriteFileAsync(path, System.Text.Encoding.UTF8.GetBytes(text), 0x1A4, cancellationToken).ConfigureAwait(false); // 0644
                }
            }
            catch
            {
                sandbox.Close(Core.Sandboxes.SandboxEnd.Closed);
                throw;
            }

            return sandbox;
        }
        catch (PolicyRefusal refusal)
        {
            runEvents.Publish(SecurityEventKind.Refusal, refusal.Rule, refusal.Rule == CallerLockout.Rule ? Severity.High : Severity.Medium, "refused", null, request.Profile, count: false);
            throw;
        }
    }

    private ImmutableArray<KeyValuePair<string, string>> ApproveExec(LiveExecRequest exec, LaunchPlan plan, LiveSandboxRequest sandbox)
    {
        lockout?.EnsureAllowed(sandbox.Caller);
        var env = sandbox.Env.SetItems(exec.Env);
        var approved = RunPolicy.Approve(new RunRequest { Command = exec.Command, Env = env, Profile = plan.ProfileName, Caller = sandbox.Caller }, profiles, config);
        if (exec.Timeout is { } timeout && timeout > plan.Limits.WallTime && !exec.Background)
        {
            throw new PolicyRefusal("limit-above-profile", $"timeout {DurationText.Format(timeout)} is above what profile '{plan.ProfileName}' allows an exec ({DurationText.Format(plan.Limits.WallTime)}): ask for less, or run it with background: true");
        }

        return [.. LaunchPlanBuilder.ProxyEnvironment(!plan.EgressPorts.IsEmpty).SetItems(approved.Profile.Env).SetItems(env)];
    }

    private static TimeSpan Min(TimeSpan server, TimeSpan? profile) => profile is { } value && value < server ? value : server;

    private static TimeSpan Lower(TimeSpan? requested, TimeSpan allowed, string name) =>
        requested is not { } value ? allowed
        : value <= TimeSpan.Zero ? throw new PolicyRefusal("limit-invalid", $"{name} must be above zero")
        : value <= allowed ? value
        : throw new PolicyRefusal("limit-above-profile", $"{name} {DurationText.Format(value)} is above what this server and profile allow ({DurationText.Format(allowed)}): ask for at most that");
}
