using Aisbx.Core.Configuration;
using Aisbx.Core.Policy;
using Aisbx.Core.Profiles;
using Aisbx.Core.Runs;
using Aisbx.Core.Security;
using Aisbx.Sandbox.Bubblewrap;
using Aisbx.Sandbox.Host;
using Aisbx.Sandbox.Launch;
using Aisbx.Sandbox.Output;
using Aisbx.Sandbox.Results;
using Aisbx.Sandbox.Seccomp;

namespace Aisbx.Sandbox;

/// <summary>
/// Runs one request in a sandbox, in the order nsjail's containProc reads: policy, identity, workspace, plan,
/// command lookup, host access, launch, result. Every violation, refusal and limit hit is published as a
/// <see cref="SecurityEvent"/>, and counted against the caller by the lockout, when there is one.
/// </summary>
public sealed partial class SandboxRunner(AisbxConfig config, ProfileCatalog profiles, CallerLockout? lockout = null, Core.Secrets.ISecretSource? secrets = null)
{
    private readonly LaunchPlanBuilder _planBuilder = new(config, HostRootfs.Mounts, Interop.Interop.RealPath, () => HostTools.Launcher);

    public AisbxConfig Config => config;

    /// <summary>The built trees profiles run in.</summary>
    public Rootfs.RootfsStore Trees { get; } = new(config);

    /// <summary>How long a sandbox may take to exit once aisbx killed it, before it is reported as stuck.</summary>
    public TimeSpan KillGrace { get; init; } = TimeSpan.FromSeconds(5);

    public ProfileCatalog Profiles => profiles;

    /// <summary>Builds the plan a request would run, without running it.</summary>
    public LaunchPlan Plan(RunRequest request, string workspaceHostPath)
    {
        var approved = RunPolicy.Approve(request, profiles, config);
        using var rootfs = Trees.Acquire(approved.Profile);
        var plan = _planBuilder.Build(approved, SandboxIds.New(), workspaceHostPath, SandboxIdentity.For(config), system: rootfs);
        // As a run would: in a workdir of a user who can run it, bubblewrap runs as that user (nothing is lent here).
        return request.Workdir is not null && plan.RunAs is not null && FileStatus.OfPath(workspaceHostPath) is { IsDirectory: true } workdir
            && WorkdirAccess.OwnerWhoCanRun(workdir, workspaceHostPath, [.. plan.Mounts.OfType<BindMount>().Select(b => b.Source)], config) is { } owner
            ? plan with { RunAs = owner }
            : plan;
    }

    /// <summary>Which of a profile's toolchain commands a sandbox would not find, looked up exactly as a run looks them up.</summary>
    /// A profile whose tree is not built has none of its tools.
    public IReadOnlyList<string> MissingTools(Profile profile)
    {
        if (Trees.Status(profile).State is Rootfs.TreeState.Missing or Rootfs.TreeState.Stale)
        {
            return profile.Toolchain;
        }

        return [.. profile.Toolchain.Where(tool =>
            CommandResolver.Resolve(Plan(new RunRequest { Command = [tool], Profile = profile.Name }, "/tmp"), HostProbe.Probe) != CommandLookup.Found)];
    }

    /// <summary>Removes what a killed aisbx left (workspaces, cgroups): call once at start-up.</summary>
    public int SweepLeftovers(Core.Security.ISecurityEventSink? events, string caller) => LeftoverSweep.Run(config, events, caller);

    /// <summary>Runs on a thread of its own, which spawns and supervises the sandbox until it is gone.</summary>
    public Task<RunResult> RunAsync(RunRequest request, RunIo io, CancellationToken cancellationToken) =>
        Task.Factory.StartNew(() => Run(request, io, cancellationToken), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary>
    /// Runs on the calling thread, which must live until this returns (it is the parent whose death ends the
    /// sandbox). The CLI calls it from its main thread, so that no thread hand-off delays the run.
    /// </summary>
    /// <exception cref="PolicyRefusal">The request broke a rule; nothing was started.</exception>
    /// <exception cref="SandboxUnavailableException">This host cannot run sandboxes.</exception>
    /// <exception cref="SandboxStartException">bubblewrap could not build the sandbox.</exception>
    public RunResult Run(RunRequest request, RunIo io, CancellationToken cancellationToken)
    {
        var events = new RunEvents(io.Events, lockout, request.Caller);
        try
        {
            return Run(request, io, events, cancellationToken);
        }
        catch (PolicyRefusal refusal)
        {
            events.Publish(SecurityEventKind.Refusal, refusal.Rule, refusal.Rule == CallerLockout.Rule ? Severity.High : Severity.Medium, "refused", null, request.Profile, count: false);
            throw;
        }
    }

    private RunResult Run(RunRequest request, RunIo io, RunEvents events, CancellationToken cancellationToken)
    {
        lockout?.EnsureAllowed(request.Caller);
        var approved = RunPolicy.Approve(request, profiles, config);
        var secretValues = ResolveSecrets(request);
        var runAs = SandboxIdentity.For(config);
        var sandboxId = SandboxIds.New();
        var violations = new ViolationLog(v => events.Publish(
            SecurityEventKind.Violation, v.Detail, v.Severity, ViolationLog.ActionName(v.Action), sandboxId, approved.Profile.Name, count: true, v.Time));

        // Taken first and given back last, so that a sweep can tell this sandbox's workspace and cgroup from a dead one's.
        using var lease = SandboxLease.Take(config, sandboxId);
        using var rootfs = Trees.Acquire(approved.Profile);
        using var workspace = request.Workdir is null
            ? Workspace.CreateFresh(config, runAs, lease, sandboxId)
            : Workspace.Open(request.Workdir, config);
        WorkspaceFiles.Place(workspace.HostPath, request.Files, runAs);
        var plan = _planBuilder.Build(approved, sandboxId, workspace.HostPath, runAs, system: rootfs);
        if (secretValues.Count > 0)
        {
            plan = plan with { Env = [.. plan.Env.Where(e => !secretValues.ContainsKey(e.Key)).Concat(secretValues).OrderBy(e => e.Key, StringComparer.Ordinal)] };
            foreach (var name in secretValues.Keys)
            {
                events.Publish(SecurityEventKind.SecretUsed, $"secret '{name}' given to the run", Severity.Low, "injected", sandboxId, approved.Profile.Name, count: false);
            }
        }

        var (stdout, stderr) = CreateSinks(request, io, approved.Limits);
        var lookup = CommandResolver.Resolve(plan, HostProbe.Probe);
        if (lookup != CommandLookup.Found)
        {
            stderr.Write(System.Text.Encoding.UTF8.GetBytes(CommandResolver.NotFoundMessage(plan, approved.Profile, lookup, request.Env) + "\n"));
            return RunResultBuilder.Empty(plan, stdout, stderr) with { ExitCode = lookup == CommandLookup.NotFound ? ExitCodes.NotFound : ExitCodes.CannotExecute };
        }

        plan = workspace.Prepare(plan);
        var gitCheck = request.Workdir is null ? null : GitTamperCheck.Before(workspace.HostPath);
        _ = HostTools.Bwrap;
        // With secrets, the program's output passes through redaction before it reaches the caller's sinks.
        var redactedOut = secretValues.Count > 0 ? new RedactingSink(stdout, secretValues) : null;
        var redactedErr = secretValues.Count > 0 ? new RedactingSink(stderr, secretValues) : null;
        using var egress = Egress.SandboxEgress.For(approved, config, events, sandboxId);
        var outcome = SandboxExecution.Run(
            plan, workspace, redactedOut ?? stdout, redactedErr ?? stderr, io.Stdin, config.RequestLimits.MaxStdinBytes, v => violations.Record(v), KillGrace, cancellationToken,
            egress is null ? null : egress.Adopt);
        egress?.Dispose(); // The sandbox is gone: so is every connection it had.
        redactedOut?.Flush();
        redactedErr?.Flush();
        if (gitCheck?.After() is { } gitChange)
        {
            events.Publish(SecurityEventKind.GitConfigChanged, gitChange.Describe(), gitChange.RunsPrograms ? Severity.Medium : Severity.Low,
                "warned", sandboxId, approved.Profile.Name, count: false);
        }

        if (outcome.KilledByForeignAbi)
        {
            violations.Record(ForeignAbi.Violation());
        }

        StartFailure.ThrowIfNotStarted(outcome, stderr.Tail);
        var result = RunResultBuilder.Build(plan, outcome, stdout, stderr, violations.ToResult(), config.RequestLimits.MaxStdinBytes);
        result = result with
        {
            Network = egress?.Report() ?? result.Network,
            LimitHits = egress is null ? result.LimitHits : [.. result.LimitHits, .. egress.LimitHits()],
        };
        // The egress caps were published as they were hit, by the proxy's session.
        foreach (var hit in result.LimitHits.Where(h => h.Limit != LimitKind.EgressBytes.Name && h.Limit != LimitKind.EgressConnections.Name))
        {
            events.Publish(SecurityEventKind.LimitHit, hit.Limit, hit.Limit == LimitKind.Pids.Name ? Severity.Medium : Severity.Low, "stopped", sandboxId, plan.ProfileName, count: true);
        }

        return result;
    }

    private Dictionary<string, string> ResolveSecrets(RunRequest request)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in request.Secrets)
        {
            if (!Core.Secrets.SecretStore.IsValidName(name))
            {
                throw new PolicyRefusal("secret-name", $"secret name '{name}' is not one: use the name it was stored under (letters, digits, '_')");
            }

            var value = secrets?.Reveal(name)
                ?? throw new PolicyRefusal("secrets-unavailable", "this aisbx has no secrets store: secrets are set with 'aisbx secrets set NAME'");
            if (System.Text.Encoding.UTF8.GetByteCount(name) + 1 + System.Text.Encoding.UTF8.GetByteCount(value) + 1 > ExecLimits.MaxStringBytes)
            {
                // It travels as NAME=value in the program's environment, and execve refuses a longer string.
                throw new PolicyRefusal("secret-size", $"secret '{name}' is too long to pass as an environment variable (at most {ExecLimits.MaxStringBytes / 1024} KiB with its name): store a shorter value, or a path to a file the program reads");
            }

            values[name] = value;
        }

        return values;
    }

    private static (OutputSink Stdout, OutputSink Stderr) CreateSinks(RunRequest request, RunIo io, ResourceLimits limits) =>
        request.CaptureOutput
            ? (new CapturingSink(limits.OutputBytes), new CapturingSink(limits.OutputBytes))
            : (new StreamingSink(io.Stdout ?? Stream.Null), new StreamingSink(io.Stderr ?? Stream.Null));
}
