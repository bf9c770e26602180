using System.Collections.Immutable;
using Aisbx.Core.Runs;
using Aisbx.Sandbox.Bubblewrap;
using Aisbx.Sandbox.Launch;
using Aisbx.Sandbox.Output;

namespace Aisbx.Sandbox.Results;

/// <summary>
/// Turns what happened to a sandbox that started into the result document: the exit code and signal (aisbx's own
/// reasons first: the wall-clock limit, a cancellation, a killing violation, a closed output), and every limit the
/// run reached, each with its kind and unit.
/// </summary>
internal static class RunResultBuilder
{
    public static RunResult Build(
        LaunchPlan plan, ExecutionOutcome outcome, OutputSink stdout, OutputSink stderr, ImmutableArray<Violation> violations, long stdinCapBytes)
    {
        var result = Empty(plan, stdout, stderr) with
        {
            DurationMs = Math.Round(outcome.Duration.TotalMilliseconds, 3),
            CpuTimeMs = Math.Round(outcome.Exit.CpuTimeMs, 3),
            PeakMemoryBytes = outcome.Cgroup?.PeakMemoryBytes,
            Violations = violations,
        };

        var (exitCode, signal) = Ending(outcome);
        return result with
        {
            ExitCode = exitCode,
            Signal = signal,
            TimedOut = outcome.TimedOut,
            LimitHits = LimitHits(plan, outcome, stdout, stderr, signal, stdinCapBytes),
        };
    }

    /// <summary>The result of a run that never launched (the command was not found): its output is aisbx's message.</summary>
    public static RunResult Empty(LaunchPlan plan, OutputSink stdout, OutputSink stderr) => new()
    {
        SandboxId = plan.SandboxId,
        Profile = plan.ProfileName,
        Network = new NetworkReport(Core.Profiles.NetworkModeText.Format(plan.Network)),
        Stdout = (stdout as CapturingSink)?.Text ?? "",
        Stderr = (stderr as CapturingSink)?.Text ?? "",
        StdoutTruncated = stdout is CapturingSink { Truncated: true },
        StderrTruncated = stderr is CapturingSink { Truncated: true },
    };

    private static (int ExitCode, int? Signal) Ending(ExecutionOutcome outcome) => outcome switch
    {
        { TimedOut: true } => (ExitCodes.TimedOut, null),
        { Cancelled: true } => (ExitCodes.Killed, ExitCodes.SignalKill),
        // Ended by aisbx for a syscall the profile kills for: reported as the kernel's own seccomp kill would be.
        { KilledForViolation: true } => (ExitCodes.BadSyscall, ExitCodes.SignalBadSyscall),
        { OutputClosed: true } => (ExitCodes.BrokenPipe, ExitCodes.SignalPipe),
        // bubblewrap reports a program killed by signal N as 128+N, the shell's convention.
        { ProgramExitCode: { } code } => (code, ExitCodes.SignalOf(code)),
        _ => (ExitCodes.ForSignal(outcome.Exit.Signal ?? ExitCodes.SignalKill), outcome.Exit.Signal ?? ExitCodes.SignalKill),
    };

    private static ImmutableArray<LimitHit> LimitHits(
        LaunchPlan plan, ExecutionOutcome outcome, OutputSink stdout, OutputSink stderr, int? signal, long stdinCapBytes)
    {
        var limits = plan.Limits;
        var hits = ImmutableArray.CreateBuilder<LimitHit>();
        if (outcome.Cgroup is { MemoryLimitHit: true })
        {
            hits.Add(LimitKind.Memory.Hit(limits.MemoryBytes));
        }

        if (outcome.Cgroup is { PidsLimitHit: true })
        {
            hits.Add(LimitKind.Pids.Hit(limits.Pids));
        }

        // The program's own signal names an rlimit only when the program, not aisbx, ended the run.
        var programEnded = outcome is { TimedOut: false, Cancelled: false, KilledForViolation: false, OutputClosed: false, ProgramExitCode: not null };
        var cpuTimeHit = outcome.Cgroup is { CpuTimeLimitHit: true } || (programEnded && RlimitCpuSignal(signal, outcome, plan));
        if (cpuTimeHit)
        {
            hits.Add(LimitKind.CpuTime.Hit((long)limits.CpuTime.TotalMilliseconds));
        }

        if (stdout is CapturingSink { Truncated: true } || stderr is CapturingSink { Truncated: true })
        {
            hits.Add(LimitKind.Output.Hit(limits.OutputBytes));
        }

        if (outcome.StdinTruncated)
        {
            hits.Add(LimitKind.Stdin.Hit(stdinCapBytes));
        }

        if (outcome.TimedOut)
        {
            hits.Add(LimitKind.WallTime.Hit((long)limits.WallTime.TotalMilliseconds));
        }
        else if (programEnded && signal == ExitCodes.SignalFileSizeExceeded)
        {
            hits.Add(LimitKind.FileSize.Hit(limits.FileSizeBytes));
        }

        return hits.ToImmutable();
    }

    /// <summary>RLIMIT_CPU ends a process with SIGXCPU, or with SIGKILL once the hard limit (a second later) is reached.</summary>
    private static bool RlimitCpuSignal(int? signal, ExecutionOutcome outcome, LaunchPlan plan) =>
        signal == ExitCodes.SignalCpuExceeded
        || (signal == ExitCodes.SignalKill && outcome.Exit.CpuTimeMs >= Math.Ceiling(plan.Limits.CpuTime.TotalSeconds) * 1000);
}
