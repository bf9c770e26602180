using System.Buffers;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Aisbx.Sandbox.Output;
using Aisbx.Sandbox.Seccomp;
using Microsoft.Win32.SafeHandles;
using static Aisbx.Sandbox.Interop.Interop;

namespace Aisbx.Sandbox.Launch;

/// <summary>
/// The one poll loop that supervises a sandbox from the thread that spawned it: it moves stdin, stdout, stderr and
/// bubblewrap's status, answers the seccomp listener, watches the pidfd, and kills the sandbox at the wall-clock
/// limit, on cancellation, at the CPU-time limit, or when the reader of its output goes away. Once the sandbox has
/// been killed it sleeps until the exit, but no longer than its kill grace: a sandbox that outlives that is
/// reported as stuck instead of being waited for forever.
/// </summary>
internal sealed class SupervisionLoop(
    string sandboxId, NativeProcess process, TimeSpan wallTime, TimeSpan killGrace, InputFeed? input, ViolationMonitor monitor, CpuTimeWatch? cpuWatch,
    (SafeFileHandle Pipe, OutputSink Sink)[] outputs, Action onOutput)
{
    private const int ChunkSize = 64 * 1024;

    /// <summary>How long output may still arrive after the exit (from processes that held the pipes).</summary>
    private static readonly TimeSpan DrainGrace = TimeSpan.FromSeconds(2);

    private volatile bool _cancelled;
    private bool _outputClosed;

    public void Cancel()
    {
        _cancelled = true;
        process.Kill();
    }

    /// <exception cref="SandboxStuckException">The sandbox did not exit within the kill grace of being killed.</exception>
    public unsafe LoopOutcome Run()
    {
        var started = Stopwatch.GetTimestamp();
        var deadline = started + ToTicks(wallTime);
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
                slots[i] = new PollFd { Fd = SandboxExecution.Fd(outputs[i].Pipe), Events = POLLIN };
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

                var wakeAt = exit is not null ? drainDeadline!.Value
                    : process.KilledAt is { } killedAt ? killedAt + ToTicks(killGrace)
                    : Math.Min(deadline, cpuWatch?.NextCheck ?? long.MaxValue);
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

                var now = Stopwatch.GetTimestamp();
                if (exit is null && process.KilledAt is null && now >= deadline)
                {
                    timedOut = true;
                    process.Kill();
                }

                if (exit is null && process.KilledAt is null && cpuWatch is not null && cpuWatch.Check(now))
                {
                    process.Kill();
                }

                if (ready > 0)
                {
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
                        drainDeadline = Stopwatch.GetTimestamp() + ToTicks(DrainGrace);
                    }
                }

                if (exit is null && process.KilledAt is { } killed && Stopwatch.GetTimestamp() >= killed + ToTicks(killGrace))
                {
                    throw new SandboxStuckException(sandboxId, killGrace);
                }
            }

            return new LoopOutcome(exit.Value, timedOut, _cancelled, _outputClosed, duration);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static long ToTicks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);

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
        if (sink is StreamingSink { ReaderGone: true } && !_outputClosed)
        {
            // As SIGPIPE ends a program whose reader went away, this ends the sandbox (reported as 141).
            _outputClosed = true;
            process.Kill();
        }

        return true;
    }
}

/// <summary>How the loop ended: the exit, and which of aisbx's reasons to kill the sandbox applied.</summary>
internal readonly record struct LoopOutcome(ChildExit Exit, bool TimedOut, bool Cancelled, bool OutputClosed, TimeSpan Duration);
