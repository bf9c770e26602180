using System.Collections.Immutable;
using System.Diagnostics;
using Aisbx.Core.Runs;
using Aisbx.Sandbox.Output;

namespace Aisbx.Sandbox.Live;

/// <summary>An exec's result document: the same shape as a run's, with the limits of the whole sandbox it hit.</summary>
internal static class LiveResults
{
    /// <summary>Less free than this in /workspace at an exit counts as having reached its cap.</summary>
    private const long WorkspaceSlackBytes = 64 * 1024;

    public static (int ExitCode, int? Signal) Ending(LiveExec exec) => exec switch
    {
        { TimedOut: true } => (ExitCodes.TimedOut, null),
        { KilledForViolation: true } => (ExitCodes.BadSyscall, ExitCodes.SignalBadSyscall),
        { OutputClosed: true } => (ExitCodes.BrokenPipe, ExitCodes.SignalPipe),
        { StartFailure: { } code } => (code, null),
        { WaitStatus: { } status } when (status & 0x7f) == 0 => ((status >> 8) & 0xff, null),
        { WaitStatus: { } status } => (ExitCodes.ForSignal(status & 0x7f), status & 0x7f),
        _ => (ExitCodes.Killed, ExitCodes.SignalKill),
    };

    public static RunResult Build(LiveExec exec, LiveSandbox sandbox, CgroupCounters? cgroup)
    {
        var (exitCode, signal) = Ending(exec);
        var (stdout, stdoutTruncated) = Text(exec.Stdout);
        var (stderr, stderrTruncated) = Text(exec.Stderr);
        return new RunResult
        {
            SandboxId = sandbox.Id,
            Profile = sandbox.Profile,
            ExitCode = exitCode,
            Signal = signal,
            TimedOut = exec.TimedOut,
            DurationMs = exec.SentAt == 0 ? 0 : Math.Round(Stopwatch.GetElapsedTime(exec.SentAt, exec.EndedAt == 0 ? Stopwatch.GetTimestamp() : exec.EndedAt).TotalMilliseconds, 3),
            CpuTimeMs = Math.Round(exec.CpuTimeMs, 3),
            PeakMemoryBytes = cgroup?.PeakMemoryBytes,
            Stdout = stdout,
            Stderr = stderr,
            StdoutTruncated = stdoutTruncated,
            StderrTruncated = stderrTruncated,
            LimitHits = LimitHits(exec, sandbox, cgroup, signal, stdoutTruncated || stderrTruncated),
            Violations = exec.Violations?.ToResult() ?? [],
        };
    }

    private static (string Text, bool Truncated) Text(OutputSink sink) => sink switch
    {
        CapturingSink captured => (captured.Text, captured.Truncated),
        OutputRing ring => ring.Read(0, int.MaxValue) is var (text, _, dropped) ? (text, dropped > 0) : ("", false),
        _ => ("", false),
    };

    private static ImmutableArray<LimitHit> LimitHits(LiveExec exec, LiveSandbox sandbox, CgroupCounters? cgroup, int? signal, bool outputTruncated)
    {
        var limits = sandbox.Limits;
        var hits = ImmutableArray.CreateBuilder<LimitHit>();
        if (cgroup is { } memory && memory.OomKills > exec.OomKillsAtStart)
        {
            hits.Add(LimitKind.Memory.Hit(limits.MemoryBytes));
        }

        if (cgroup is { } pids && pids.PidsRefusals > exec.PidsRefusalsAtStart)
        {
            hits.Add(LimitKind.Pids.Hit(limits.Pids));
        }

        if (exec.CpuTimeHit || signal == ExitCodes.SignalCpuExceeded)
        {
            hits.Add(LimitKind.CpuTime.Hit((long)limits.CpuTime.TotalMilliseconds));
        }

        if (exec.TimedOut)
        {
            hits.Add(LimitKind.WallTime.Hit((long)(exec.Timeout ?? limits.WallTime).TotalMilliseconds));
        }

        if (outputTruncated && !exec.Background)
        {
            hits.Add(LimitKind.Output.Hit(limits.OutputBytes));
        }

        if (signal == ExitCodes.SignalFileSizeExceeded)
        {
            hits.Add(LimitKind.FileSize.Hit(limits.FileSizeBytes));
        }

        if (exec.WaitStatus is not null && (long)exec.WorkspaceBytesAtExit + WorkspaceSlackBytes >= sandbox.WorkspaceLimitBytes)
        {
            hits.Add(LimitKind.Workspace.Hit(sandbox.WorkspaceLimitBytes));
        }

        return hits.ToImmutable();
    }
}

/// <summary>What the sandbox's cgroup counted when an exec completed.</summary>
internal readonly record struct CgroupCounters(long OomKills, long PidsRefusals, long? PeakMemoryBytes);
