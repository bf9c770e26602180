using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Aisbx.Sandbox.Bubblewrap;
using Aisbx.Sandbox.Host;
using Aisbx.Sandbox.Limits;
using Aisbx.Sandbox.Seccomp;
using Aisbx.Sandbox.Output;
using Microsoft.Win32.SafeHandles;
using static Aisbx.Sandbox.Interop.Interop;

namespace Aisbx.Sandbox.Launch;

/// <summary>
/// Starts bubblewrap for a plan (through setpriv when aisbx is root) and supervises it from the calling thread
/// alone, through one <see cref="SupervisionLoop"/>. No thread hand-off sits on the path of a run, and the
/// thread that spawned bubblewrap outlives it, as PR_SET_PDEATHSIG requires. Ending bubblewrap ends the sandbox:
/// <c>--die-with-parent</c> kills its pid 1, and with it every process of its pid namespace.
/// </summary>
internal static partial class SandboxExecution
{
    public static ExecutionOutcome Run(
        LaunchPlan plan, Workspace workspace, OutputSink stdout, OutputSink stderr, Stream? stdin, long stdinCapBytes,
        Action<SyscallViolation> onViolation, TimeSpan killGrace, CancellationToken cancellationToken, Action<int[]>? egress = null)
    {
        using var cgroup = SandboxCgroup.Create(plan.SandboxId, plan.Limits);
        using var spawn = SandboxSpawn.Start(plan, workspace, cgroup, plan.Env);
        var process = spawn.Process;
        var (stdinPipe, stdoutPipe, stderrPipe, statusPipe, blockPipe, handOff) = (spawn.StdinPipe, spawn.StdoutPipe, spawn.StderrPipe, spawn.StatusPipe, spawn.BlockPipe, spawn.HandOff);
        var statusSink = new CapturingSink(4096);
        var input = stdin is null ? null : new InputFeed(stdin, stdinPipe.Write, stdinCapBytes);
        if (input is null)
        {
            stdinPipe.Write.Dispose();
        }

        var placement = cgroup is null ? null : new CgroupPlacement(cgroup, blockPipe.Write, process);
        if (cgroup is null)
        {
            blockPipe.Write.Dispose();
        }

        using var monitor = new ViolationMonitor(handOff.Ours, plan.Syscalls, onViolation, process.Kill, egress);
        var cpuWatch = cgroup is not { CountsCpu: true } ? null : new CpuTimeWatch(cgroup, plan.Limits.CpuTime, Stopwatch.GetTimestamp());
        var loop = new SupervisionLoop(plan.SandboxId, process, plan.Limits.WallTime, killGrace, input, monitor, cpuWatch,
            [(stdoutPipe.Read, stdout), (stderrPipe.Read, stderr), (statusPipe.Read, statusSink)],
            () => placement?.OnStatus(statusSink.Text));
        using var onCancel = cancellationToken.Register(loop.Cancel);
        var ended = loop.Run();
        stdinPipe.Write.Dispose();
        monitor.OnSocketReady(); // A hand-off that arrived together with the exit.
        placement?.Failure?.Throw();
        var usage = cgroup is null ? null : new CgroupUsage(cgroup.PeakMemoryBytes, cgroup.MemoryLimitHit, cgroup.PidsLimitHit, cpuWatch?.LimitHit ?? false);
        return new ExecutionOutcome(ended.Exit, ProgramExitCode(statusSink.Text), ended.TimedOut, ended.Cancelled, input?.Truncated ?? false, ended.Duration, usage)
        {
            OutputClosed = ended.OutputClosed,
            FilterInstalled = monitor.FilterInstalled,
            KilledForViolation = monitor.KilledSandbox,
        };
    }

    /// <summary>bubblewrap reports <c>exit-code</c> only when the program was actually exec'd.</summary>
    private static int? ProgramExitCode(string status)
    {
        var match = ExitCodePattern().Match(status);
        return match.Success ? int.Parse(match.Groups[1].ValueSpan, CultureInfo.InvariantCulture) : null;
    }

    internal static int Fd(SafeHandle handle) => (int)handle.DangerousGetHandle();

    [GeneratedRegex("\"exit-code\"\\s*:\\s*(\\d+)")]
    private static partial Regex ExitCodePattern();
}
