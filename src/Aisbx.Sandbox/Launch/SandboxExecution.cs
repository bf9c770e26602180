using System.Buffers;
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
/// alone: one poll loop moves stdin, stdout, stderr and bubblewrap's status, watches the pidfd, and ends the
/// sandbox at the wall-clock limit or on cancellation. No thread hand-off sits on the path of a run, and the
/// thread that spawned bubblewrap outlives it, as PR_SET_PDEATHSIG requires. Ending bubblewrap ends the sandbox:
/// <c>--die-with-parent</c> kills its pid 1, and with it every process of its pid namespace.
/// </summary>
internal static partial class SandboxExecution
{
    private const int ChunkSize = 64 * 1024;
    private static readonly TimeSpan DrainGrace = TimeSpan.FromSeconds(2);

    /// <summary>Host tools run with no environment at all: nothing the caller sets (LD_PRELOAD) may reach them.</summary>
    private static readonly KeyValuePair<string, string>[] HostEnvironment = [];

    public static ExecutionOutcome Run(
        LaunchPlan plan, Workspace workspace, OutputSink stdout, OutputSink stderr, Stream? stdin, long stdinCapBytes,
        Action<SyscallViolation> onViolation, CancellationToken cancellationToken)
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
            var loop = new SupervisionLoop(process, plan.Limits.WallTime, input, monitor, cpuWatch,
                [(stdoutPipe.Read, stdout), (stderrPipe.Read, stderr), (statusPipe.Read, statusSink)],
                () => placement?.OnStatus(statusSink.Text));
            using var onCancel = cancellationToken.Register(loop.Cancel);
            var (exit, timedOut, cancelled, duration) = loop.Run();
            stdinPipe.Write.Dispose();
            monitor.OnSocketReady(); // A hand-off that arrived together with the exit.
            placement?.Failure?.Throw();
            var usage = cgroup is null ? null : new CgroupUsage(cgroup.PeakMemoryBytes, cgroup.MemoryLimitHit, cgroup.PidsLimitHit, cpuWatch?.LimitHit ?? false);
            return new ExecutionOutcome(exit, ProgramExitCode(statusSink.Text), timedOut, cancelled, input?.Truncated ?? false, duration, usage)
            {
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

    /// <summary>The poll loop itself.</summary>
    private sealed class SupervisionLoop(
        NativeProcess process, TimeSpan wallTime, InputFeed? input, ViolationMonitor monitor, CpuTimeWatch? cpuWatch,
        (SafeFileHandle Pipe, OutputSink Sink)[] outputs, Action onOutput)
    {
        private volatile bool _cancelled;

        public void Cancel()
        {
            _cancelled = true;
            process.Kill();
        }

        public unsafe (ChildExit Exit, bool TimedOut, bool Cancelled, TimeSpan Duration) Run()
        {
            var started = Stopwatch.GetTimestamp();
            var deadline = started + (long)(wallTime.TotalSeconds * Stopwatch.Frequency);
            long? drainDeadline = null;
            var timedOut = false;
            ChildExit? exit = null;
            var duration = TimeSpan.Zero;
            var open = outputs.Length;
            var slots = new PollFd[outputs.Length + 5];
            var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
            try
            {
                for (var i = 0; i < outputs.Length; i++)
                {
                    slots[i] = new PollFd { Fd = Fd(outputs[i].Pipe), Events = POLLIN };
                }

                var exitSlot = outputs.Length;
                var inputSlot = exitSlot + 1;
                var pipeSlot = exitSlot + 2;
                var handOffSlot = exitSlot + 3;
                var listenerSlot = exitSlot + 4;
                slots[exitSlot] = new PollFd { Fd = process.ExitDescriptor, Events = POLLIN };

                while (exit is null || (open > 0 && Stopwatch.GetTimestamp() < drainDeadline))
                {
                    input?.Prepare(ref slots[inputSlot], ref slots[pipeSlot]);
                    if (input is null)
                    {
                        slots[inputSlot].Fd = slots[pipeSlot].Fd = -1;
                    }

                    slots[handOffSlot] = new PollFd { Fd = monitor.SocketFd, Events = POLLIN };
                    slots[listenerSlot] = new PollFd { Fd = exit is null ? monitor.ListenerFd : -1, Events = POLLIN };

                    var wakeAt = exit is null ? Math.Min(deadline, cpuWatch?.NextCheck ?? long.MaxValue) : drainDeadline!.Value;
                    var timeout = (int)Math.Clamp((wakeAt - Stopwatch.GetTimestamp()) * 1000 / Stopwatch.Frequency + 1, 0, int.MaxValue);
                    int ready;
                    fixed (PollFd* pointer = slots)
                    {
                        ready = Poll(pointer, (nuint)slots.Length, timeout);
                    }

                    if (ready < 0 && Marshal.GetLastPInvokeError() != EINTR)
                    {
                        throw new System.ComponentModel.Win32Exception(Marshal.GetLastPInvokeError(), "poll failed");
                    }

                    if (exit is null && !timedOut && Stopwatch.GetTimestamp() >= deadline)
                    {
                        timedOut = true;
                        process.Kill();
                    }

                    if (exit is null && cpuWatch is not null && cpuWatch.Check(Stopwatch.GetTimestamp()))
                    {
                        process.Kill();
                    }

                    if (ready <= 0)
                    {
                        continue;
                    }

                    for (var i = 0; i < outputs.Length; i++)
                    {
                        if (slots[i].Fd >= 0 && slots[i].Revents != 0 && !Drain(slots[i].Fd, outputs[i].Sink, buffer))
                        {
                            slots[i].Fd = -1;
                            open--;
                        }
                    }

                    onOutput();
                    input?.Pump(slots[inputSlot].Revents, slots[pipeSlot].Revents);
                    if (slots[handOffSlot].Revents != 0)
                    {
                        monitor.OnSocketReady();
                    }

                    if (slots[listenerSlot].Revents != 0)
                    {
                        monitor.OnListenerReady(slots[listenerSlot].Revents);
                    }

                    if (exit is null && slots[exitSlot].Revents != 0)
                    {
                        exit = process.WaitForExit();
                        duration = Stopwatch.GetElapsedTime(started);
                        slots[exitSlot].Fd = -1;
                        drainDeadline = Stopwatch.GetTimestamp() + (long)(DrainGrace.TotalSeconds * Stopwatch.Frequency);
                    }
                }

                return (exit.Value, timedOut, _cancelled, duration);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        /// <returns>False at end of file.</returns>
        private unsafe bool Drain(int fd, OutputSink sink, byte[] buffer)
        {
            nint read;
            fixed (byte* pointer = buffer)
            {
                read = Interop.Interop.Read(fd, pointer, ChunkSize);
            }

            if (read < 0)
            {
                var error = Marshal.GetLastPInvokeError();
                return error is EINTR or EAGAIN;
            }

            if (read == 0)
            {
                return false;
            }

            sink.Write(buffer.AsSpan(0, (int)read));
            if (sink is StreamingSink { ReaderGone: true })
            {
                process.Kill();
            }

            return true;
        }
    }
}
