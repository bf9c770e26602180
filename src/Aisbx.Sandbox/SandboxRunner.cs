using Aisbx.Core.Configuration;
using Aisbx.Core.Policy;
using Aisbx.Core.Profiles;
using Aisbx.Core.Runs;
using Aisbx.Core.Security;
using Aisbx.Sandbox.Bubblewrap;
using Aisbx.Sandbox.Host;
using Aisbx.Sandbox.Launch;
using Aisbx.Sandbox.Output;
using Aisbx.Sandbox.Seccomp;

namespace Aisbx.Sandbox;

/// <summary>
/// Runs one request in a sandbox, in the order nsjail's containProc reads: policy, identity, workspace, plan,
/// command lookup, host access, launch, result. Every violation, refusal and limit hit is published as a
/// <see cref="SecurityEvent"/>, and counted against the caller by the lockout, when there is one.
/// </summary>
public sealed class SandboxRunner(AisbxConfig config, ProfileCatalog profiles, CallerLockout? lockout = null, Core.Secrets.ISecretSource? secrets = null)
{
    private const int SignalKill = 9;
    private const int SignalCpuExceeded = 24;
    private const int SignalFileSizeExceeded = 25;
    private const int SignalBadSyscall = 31;

    private readonly LaunchPlanBuilder _planBuilder = new(config, HostRootfs.Mounts, Interop.Interop.RealPath, () => HostTools.Launcher);

    public AisbxConfig Config => config;

    public ProfileCatalog Profiles => profiles;

    /// <summary>Builds the plan a request would run, without running it.</summary>
    public LaunchPlan Plan(RunRequest request, string workspaceHostPath)
    {
        var approved = RunPolicy.Approve(request, profiles, config);
        return _planBuilder.Build(approved, SandboxIds.New(), workspaceHostPath, SandboxIdentity.For(config));
    }

    /// <summary>Which of a profile's toolchain commands a sandbox would not find, looked up exactly as a run looks them up.</summary>
    public IReadOnlyList<string> MissingTools(Profile profile) =>
        [.. profile.Toolchain.Where(tool =>
            CommandResolver.Resolve(Plan(new RunRequest { Command = [tool], Profile = profile.Name }, "/tmp"), HostProbe.Probe) != CommandLookup.Found)];

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

        using var workspace = request.Workdir is null
            ? Workspace.CreateFresh(config, runAs, sandboxId)
            : Workspace.Open(request.Workdir, config);
        WorkspaceFiles.Place(workspace.HostPath, request.Files, runAs);
        var plan = _planBuilder.Build(approved, sandboxId, workspace.HostPath, runAs);
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
            stderr.Write(System.Text.Encoding.UTF8.GetBytes(CommandResolver.NotFoundMessage(plan, approved.Profile, lookup) + "\n"));
            return Result(plan, stdout, stderr) with { ExitCode = lookup == CommandLookup.NotFound ? 127 : 126 };
        }

        plan = workspace.Prepare(plan);
        _ = HostTools.Bwrap;
        // With secrets, the program's output passes through redaction before it reaches the caller's sinks.
        var redactedOut = secretValues.Count > 0 ? new RedactingSink(stdout, secretValues) : null;
        var redactedErr = secretValues.Count > 0 ? new RedactingSink(stderr, secretValues) : null;
        var outcome = SandboxExecution.Run(
            plan, workspace, redactedOut ?? stdout, redactedErr ?? stderr, io.Stdin, config.RequestLimits.MaxStdinBytes, violations.Record, cancellationToken);
        redactedOut?.Flush();
        redactedErr?.Flush();
        var result = Complete(plan, outcome, stdout, stderr, violations.ToResult());
        foreach (var hit in result.LimitHits)
        {
            events.Publish(SecurityEventKind.LimitHit, hit.Limit, hit.Limit == "pids" ? Severity.Medium : Severity.Low, "stopped", sandboxId, plan.ProfileName, count: true);
        }

        if (result.Signal == SignalBadSyscall && !outcome.KilledForViolation)
        {
            events.Publish(SecurityEventKind.Violation, ForeignAbiDetail, Severity.Critical, "killed", sandboxId, plan.ProfileName, count: true);
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

            values[name] = secrets?.Reveal(name)
                ?? throw new PolicyRefusal("secrets-unavailable", "this aisbx has no secrets store: secrets are set with 'aisbx secrets set NAME'");
        }

        return values;
    }

    private const string ForeignAbiDetail = "a syscall through a foreign ABI (i386 int 0x80 or x32)";

    private RunResult Complete(LaunchPlan plan, ExecutionOutcome outcome, OutputSink stdout, OutputSink stderr, System.Collections.Immutable.ImmutableArray<Violation> violations)
    {
        var result = Result(plan, stdout, stderr) with
        {
            DurationMs = Math.Round(outcome.Duration.TotalMilliseconds, 3),
            CpuTimeMs = Math.Round(outcome.Exit.CpuTimeMs, 3),
            PeakMemoryBytes = outcome.Cgroup?.PeakMemoryBytes,
            Violations = violations,
        };

        var limitHits = result.LimitHits.ToBuilder();
        if (outcome.Cgroup is { MemoryLimitHit: true })
        {
            limitHits.Add(new LimitHit("memory", plan.Limits.MemoryBytes));
        }

        if (outcome.Cgroup is { PidsLimitHit: true })
        {
            limitHits.Add(new LimitHit("pids", plan.Limits.Pids));
        }

        if (outcome.Cgroup is { CpuTimeLimitHit: true })
        {
            limitHits.Add(new LimitHit("cpu-time", (long)plan.Limits.CpuTime.TotalMilliseconds));
        }

        if (stdout is CapturingSink { Truncated: true } || stderr is CapturingSink { Truncated: true })
        {
            limitHits.Add(new LimitHit("output", plan.Limits.OutputBytes));
        }

        if (outcome.StdinTruncated)
        {
            limitHits.Add(new LimitHit("stdin", config.RequestLimits.MaxStdinBytes));
        }

        if (outcome.TimedOut)
        {
            limitHits.Add(new LimitHit("wall-time", (long)plan.Limits.WallTime.TotalMilliseconds));
            return result with { ExitCode = 124, TimedOut = true, LimitHits = limitHits.ToImmutable() };
        }

        result = result with { LimitHits = limitHits.ToImmutable() };
        if (outcome.Cancelled)
        {
            return result with { ExitCode = 128 + 9, Signal = 9 };
        }

        if (outcome.KilledForViolation)
        {
            // Ended by aisbx for a syscall the profile kills for: reported as the kernel's own seccomp kill would be.
            return result with { ExitCode = 128 + SignalBadSyscall, Signal = SignalBadSyscall };
        }

        if (!outcome.FilterInstalled && outcome.ProgramExitCode is not null)
        {
            // The launcher ran but never handed over a filter: it refused to start the program, and said why.
            throw new SandboxStartException($"the sandbox could not start: {LastLine(stderr.Tail)}. Run 'aisbx doctor' to check this host");
        }

        if (outcome.ProgramExitCode is { } code)
        {
            // bubblewrap reports a program killed by signal N as 128+N, the shell's convention.
            int? programSignal = code is > 128 and < 128 + 65 ? code - 128 : null;
            if (outcome.Cgroup is not { CpuTimeLimitHit: true } && RlimitHit(programSignal, plan, outcome) is { } hit)
            {
                limitHits.Add(hit);
            }

            var withForeignAbi = programSignal == SignalBadSyscall
                ? result.Violations.Add(new Violation("seccomp", ForeignAbiDetail, "critical", "killed"))
                : result.Violations;
            return result with { ExitCode = code, Signal = programSignal, LimitHits = limitHits.ToImmutable(), Violations = withForeignAbi };
        }

        if (outcome.Exit.Signal is { } signal)
        {
            return result with { ExitCode = 128 + signal, Signal = signal };
        }

        // No exit-code from bubblewrap: the sandbox never got as far as the launcher.
        var reason = LastLine(stderr.Tail);
        throw new SandboxStartException(
            $"the sandbox could not start: {(reason.Length > 0 ? reason : $"bubblewrap exited {outcome.Exit.ExitCode}")}. Run 'aisbx doctor' to check this host");
    }

    /// <summary>Names the rlimit behind a signal the kernel sends for one: SIGXFSZ for file size, SIGXCPU (or the SIGKILL a second later) for CPU time.</summary>
    private static LimitHit? RlimitHit(int? signal, LaunchPlan plan, ExecutionOutcome outcome) => signal switch
    {
        SignalFileSizeExceeded => new LimitHit("file-size", plan.Limits.FileSizeBytes),
        SignalCpuExceeded => new LimitHit("cpu-time", (long)plan.Limits.CpuTime.TotalMilliseconds),
        SignalKill when outcome.Exit.CpuTimeMs >= Math.Ceiling(plan.Limits.CpuTime.TotalSeconds) * 1000 =>
            new LimitHit("cpu-time", (long)plan.Limits.CpuTime.TotalMilliseconds),
        _ => null,
    };

    private static RunResult Result(LaunchPlan plan, OutputSink stdout, OutputSink stderr) => new()
    {
        SandboxId = plan.SandboxId,
        Profile = plan.ProfileName,
        Stdout = (stdout as CapturingSink)?.Text ?? "",
        Stderr = (stderr as CapturingSink)?.Text ?? "",
        StdoutTruncated = stdout is CapturingSink { Truncated: true },
        StderrTruncated = stderr is CapturingSink { Truncated: true },
    };

    private static (OutputSink Stdout, OutputSink Stderr) CreateSinks(RunRequest request, RunIo io, ResourceLimits limits) =>
        request.CaptureOutput
            ? (new CapturingSink(limits.OutputBytes), new CapturingSink(limits.OutputBytes))
            : (new StreamingSink(io.Stdout ?? Stream.Null), new StreamingSink(io.Stderr ?? Stream.Null));

    private static string LastLine(string text) =>
        text.TrimEnd('\n', '\r').Split('\n').LastOrDefault()?.Trim() ?? "";
}
