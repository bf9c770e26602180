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
    /// <summary>Host tools run with no environment at all: nothing the caller sets (LD_PRELOAD) may reach them.</summary>
    private static readonly KeyValuePair<string, string>[] HostEnvironment = [];

    public static ExecutionOutcome Run(
        LaunchPlan plan, Workspace workspace, OutputSink stdout, OutputSink stderr, Stream? stdin, long stdinCapBytes,
        Action<SyscallViolation> onViolation, TimeSpan killGrace, CancellationToken cancellationToken)
    {
        using var cgroup = SandboxCgroup.Create(plan.SandboxId, plan.Limits);
        var invocation = BwrapCommandLine.Build(plan, blockUntilPlaced: cgroup is not null);
        var (executable, argv) = LaunchCommandLine.Build(plan, invocation);

        using var blockPipe = PipePair.Create();
        using var stdoutPipe = PipePair.Create();
        using var stderrPipe = PipePair.Create();
        using var statusPipe = PipePair.Create();
        using var stdinPipe = PipePair.Create();
        using var handOff = SocketPair.Create();
        var dataFiles = invocation.DataFiles.Select(d => (d.Fd, Handle: MemoryFile.Create("aisbx-data", d.Content))).ToList();
        var payload = LaunchPayload.Encode(SeccompProgram.For(plan.ProfileName, plan.Syscalls), plan.Env);
        dataFiles.Add((BwrapCommandLine.PayloadFd, MemoryFile.Create("aisbx-launch", payload)));

        NativeProcess process;
        try
        {
            List<(int, int)> fds =
            [
                (Fd(stdinPipe.Read), 0), (Fd(stdoutPipe.Write), 1), (Fd(stderrPipe.Write), 2),
                (Fd(statusPipe.Write), BwrapCommandLine.StatusFd), (Fd(workspace.Handle), BwrapCommandLine.WorkspaceFd),
                (Fd(handOff.Theirs), BwrapCommandLine.HandOffFd),
                .. dataFiles.Select(d => (Fd(d.Handle), d.Fd)),
                .. cgroup is null ? [] : new[] { (Fd(blockPipe.Read), BwrapCommandLine.BlockFd) },
            ];
            process = NativeProcess.Start(executable, argv, HostEnvironment, fds);
        }
        finally
        {
            // The child has its copies now; ours of its ends must go, or the pipes never reach end of file.
            stdoutPipe.Write.Dispose();
            stderrPipe.Write.Dispose();
            statusPipe.Write.Dispose();
            stdinPipe.Read.Dispose();
            blockPipe.Read.Dispose();
            handOff.Theirs.Dispose();
            dataFiles.ForEach(d => d.Handle.Dispose());
        }

        using (process)
        {
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

            using var monitor = new ViolationMonitor(handOff.Ours, plan.Syscalls, onViolation, process.Kill);
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
