using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Aisbx.Core;
using Aisbx.Core.Configuration;
using Aisbx.Core.Sandboxes;
using Aisbx.Core.Security;
using Aisbx.Sandbox.Bubblewrap;
using Aisbx.Sandbox.Host;
using Aisbx.Sandbox.Launch;
using Aisbx.Sandbox.Limits;
using Aisbx.Sandbox.Output;
using Aisbx.Sandbox.Results;
using Aisbx.Sandbox.Seccomp;
using Microsoft.Win32.SafeHandles;
using static Aisbx.Sandbox.Interop.Interop;

using Aisbx.Launcher;

namespace Aisbx.Sandbox.Live;

/// <summary>The sandbox's own thread: it spawns bubblewrap, outlives it (PR_SET_PDEATHSIG), and runs one poll loop.</summary>
public sealed partial class LiveSandbox
{
    private const int ChunkSize = 64 * 1024;
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan DrainGrace = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan KillGrace = TimeSpan.FromSeconds(5);

    private readonly ConcurrentQueue<(Action Run, Action<Exception> Fail)> _posted = new();
    private readonly Lock _postLock = new();
    private readonly List<LiveExec> _active = [];
    private readonly Dictionary<uint, (TaskCompletionSource<FileDone> Done, SafeFileHandle? Reply)> _fileOps = [];
    private readonly byte[] _chunk = new byte[ChunkSize];
    private readonly ViolationLog _sandboxViolations;
    private readonly Queue<(int InnerPid, SyscallViolation Violation)> _unclaimed = new();
    private AisbxConfig? _config;
    private PipePair? _wake;
    private AgentChannel? _channel;
    private SandboxSpawn? _spawn;
    private SandboxCgroup? _cgroup;
    private ViolationMonitor? _monitor;
    private CpuTimeWatch? _cpuWatch;
    private bool _loopOver;
    private long _oomKillsSeen;
    private long _pidsRefusalsSeen;

    /// <summary>What the agent (or bubblewrap) last wrote to its stderr, for the record of a sandbox that ended on its own.</summary>
    public string AgentLastWords { get; private set; } = "";

    internal async Task StartAsync(AisbxConfig config, CancellationToken cancellationToken)
    {
        _config = config;
        // Made before the thread starts: a close posted while the sandbox is still starting (a pool that stops)
        // must find the pipe that wakes the loop, which then sees it at its first poll.
        _wake = PipePair.Create();
        SetNonBlocking(_wake.Read);
        SetNonBlocking(_wake.Write);
        var thread = new Thread(RunLoop, 256 * 1024) { IsBackground = true, Name = "aisbx " + Id };
        thread.Start();
        await _ready.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private void RunLoop()
    {
        SandboxLease? lease = null;
        try
        {
            lease = Lease ?? SandboxLease.Take(_config!, Id);
            _cgroup = SandboxCgroup.Create(Id, _limits);
            if (_plan.RunAs is { } runAs && runAs.Uid == _config!.SandboxUid)
            {
                foreach (var bind in _plan.Mounts.OfType<BindMount>())
                {
                    HostAccess.GrantTraverse(bind.Source, runAs);
                }
            }

            _spawn = SandboxSpawn.Start(_plan, HostWorkspace, _cgroup, []);
            _spawn.StdinPipe.Write.Dispose();
            _channel = new AgentChannel(_spawn.HandOff.Ours);
            _monitor = new ViolationMonitor(null, _plan.Syscalls, OnViolation, () => End(SandboxEnd.Violation));
            Serve();
        }
        catch (Exception ex)
        {
            _ready.TrySetException(ex is AisbxException ? ex : new SandboxStartException($"the live sandbox could not start ({ex.GetType().Name}: {ex.Message})"));
        }
        finally
        {
            Shutdown();
            Egress?.Dispose();
            _monitor?.Dispose();
            _channel?.Dispose();
            _spawn?.Dispose();
            _cgroup?.Dispose();
            Holds?.Dispose(); // Before the lease: a sweep must never see this sandbox's workspace without its owner.
            lease?.Dispose();
            _wake?.Dispose();
            _ended.TrySetResult(_endReason ?? SandboxEnd.AgentFailed);
        }
    }

    private void Serve()
    {
        var spawn = _spawn!;
        var process = spawn.Process;
        var status = new CapturingSink(4096);
        var agentOutput = new CapturingSink(4096);
        var placement = _cgroup is null ? null : new CgroupPlacement(_cgroup, spawn.BlockPipe.Write, process);
        if (_cgroup is null)
        {
            spawn.BlockPipe.Write.Dispose();
        }

        _cpuWatch = _cgroup is { CountsCpu: true } ? new CpuTimeWatch(_cgroup, _limits.CpuTime, Stopwatch.GetTimestamp()) : null;
        SafeFileHandle?[] own = [spawn.StatusPipe.Read, spawn.StdoutPipe.Read, spawn.StderrPipe.Read];
        OutputSink[] ownSinks = [status, agentOutput, agentOutput];
        var readyBy = Stopwatch.GetTimestamp() + Ticks(StartLimit);
        var channelOpen = true;
        var slots = new List<PollFd>(16);
        while (true)
        {
            slots.Clear();
            slots.Add(new PollFd { Fd = process.ExitDescriptor, Events = POLLIN });
            slots.Add(new PollFd { Fd = Fd(_wake!.Read), Events = POLLIN });
            slots.Add(new PollFd { Fd = channelOpen ? _channel!.Fd : -1, Events = POLLIN });
            slots.Add(new PollFd { Fd = _monitor!.ListenerFd, Events = POLLIN });
            foreach (var pipe in own)
            {
                slots.Add(new PollFd { Fd = pipe is null ? -1 : Fd(pipe), Events = POLLIN });
            }

            foreach (var exec in _active)
            {
                slots.Add(new PollFd { Fd = exec.StdoutPipe is null ? -1 : Fd(exec.StdoutPipe), Events = POLLIN });
                slots.Add(new PollFd { Fd = exec.StderrPipe is null ? -1 : Fd(exec.StderrPipe), Events = POLLIN });
                slots.Add(new PollFd { Fd = exec.StdinPipe is not null && exec.HasInput ? Fd(exec.StdinPipe) : -1, Events = POLLOUT });
            }

            var now = Stopwatch.GetTimestamp();
            var wakeAt = NextWake(now, readyBy, _cpuWatch);
            // Divided before it is clamped: a waiting pool sandbox's far deadline times 1000 would overflow into a busy poll.
            var timeout = wakeAt == long.MaxValue ? -1 : (int)Math.Clamp(((wakeAt - now) / (Stopwatch.Frequency / 1000)) + 1, 0, int.MaxValue);
            var pollSlots = CollectionsMarshal.AsSpan(slots);
            int ready;
            unsafe
            {
                fixed (PollFd* pointer = pollSlots)
                {
                    ready = Poll(pointer, (nuint)pollSlots.Length, timeout);
                }
            }

            if (ready < 0 && Marshal.GetLastPInvokeError() != EINTR)
            {
                throw new System.ComponentModel.Win32Exception(Marshal.GetLastPInvokeError(), "poll failed");
            }

            now = Stopwatch.GetTimestamp();
            if (ready > 0)
            {
                for (var i = 0; i < own.Length; i++)
                {
                    if (own[i] is { } pipe && pollSlots[4 + i].Revents != 0 && !Drain(pipe, ownSinks[i]))
                    {
                        pipe.Dispose();
                        own[i] = null;
                    }
                }

                placement?.OnStatus(status.Text);
                // Frames first: an exec's STARTED, when it came with its program's first violation, names whose it is.
                if (pollSlots[2].Revents != 0)
                {
                    channelOpen = ReadFrames();
                }

                if (pollSlots[3].Revents != 0)
                {
                    _monitor.OnListenerReady(pollSlots[3].Revents);
                }

                // Output is read before the frames that follow it are acted on, so an exit never outruns its output.
                for (var i = 0; i < _active.Count; i++)
                {
                    var exec = _active[i];
                    var at = 7 + (i * 3);
                    if (exec.StdoutPipe is { } stdout && pollSlots[at].Revents != 0 && !Drain(stdout, exec.Stdout))
                    {
                        stdout.Dispose();
                        exec.StdoutPipe = null;
                    }

                    if (exec.StderrPipe is { } stderr && pollSlots[at + 1].Revents != 0 && !Drain(stderr, exec.Stderr))
                    {
                        stderr.Dispose();
                        exec.StderrPipe = null;
                    }

                    if (pollSlots[at + 2].Revents != 0)
                    {
                        exec.PumpInput();
                    }

                    if (!exec.OutputClosed && (exec.Stdout is StreamingSink { ReaderGone: true } || exec.Stderr is StreamingSink { ReaderGone: true }))
                    {
                        // As SIGPIPE ends a program whose reader went away, this ends it (reported as 141).
                        exec.OutputClosed = true;
                        KillExec(exec);
                    }
                }

                if (pollSlots[1].Revents != 0)
                {
                    RunPosted();
                }

                if (pollSlots[0].Revents != 0)
                {
                    var exit = process.WaitForExit();
                    if (!_ready.Task.IsCompleted)
                    {
                        placement?.Failure?.Throw();
                        throw new SandboxStartException(StartFailure.Explain(agentOutput.Tail, exit));
                    }

                    AgentLastWords = agentOutput.Tail;
                    _endReason ??= exit.Signal is null && exit.ExitCode == 137 && _cgroup is { MemoryLimitHit: true } ? SandboxEnd.Memory : SandboxEnd.AgentFailed;
                    return;
                }
            }

            placement?.Failure?.Throw();
            Tick(now, readyBy, _cpuWatch);
            CompleteFinished(now);
        }
    }

    private long NextWake(long now, long readyBy, CpuTimeWatch? cpuWatch)
    {
        var next = long.MaxValue;
        if (!_ready.Task.IsCompleted)
        {
            next = readyBy;
        }

        if (_endReason is not null)
        {
            return Math.Min(next, now + Ticks(TimeSpan.FromMilliseconds(100)));
        }

        if (!_active.Any(e => !e.Background))
        {
            next = Math.Min(next, Volatile.Read(ref _lastUse) + Ticks(IdleTimeout));
        }

        next = Math.Min(next, _createdTimestamp + Ticks(MaxLifetime));
        foreach (var exec in _active)
        {
            next = Math.Min(next, exec.DrainUntil ?? long.MaxValue);
            next = Math.Min(next, exec.KilledAt is { } killed ? killed + Ticks(KillGrace) : exec.Deadline ?? long.MaxValue);
        }

        if (cpuWatch is not null && _active.Count > 0)
        {
            next = Math.Min(next, cpuWatch.NextCheck);
        }

        return next;
    }

    /// <summary>The clocks: the start, each exec's timeout and kill grace, the CPU time, the idle timeout and the lifetime.</summary>
    private void Tick(long now, long readyBy, CpuTimeWatch? cpuWatch)
    {
        if (!_ready.Task.IsCompleted && now >= readyBy)
        {
            _spawn!.Process.Kill();
        }

        foreach (var exec in _active)
        {
            if (exec.Ended)
            {
                continue;
            }

            if (exec.KilledAt is { } killed && now >= killed + Ticks(KillGrace))
            {
                exec.EndedWithSandbox = true; // It would not die: reported as killed, and left to the sandbox's end.
                exec.EndedAt = now;
                exec.DrainUntil = now;
            }
            else if (exec.KilledAt is null && exec.Deadline is { } deadline && now >= deadline)
            {
                exec.TimedOut = true;
                KillExec(exec);
            }
        }

        if (cpuWatch is not null && _active.Count > 0 && cpuWatch.Check(now))
        {
            foreach (var exec in _active)
            {
                exec.CpuTimeHit = true;
            }

            End(SandboxEnd.CpuTime);
        }

        if (_ready.Task.IsCompleted && !_active.Any(e => !e.Background) && now >= Volatile.Read(ref _lastUse) + Ticks(IdleTimeout))
        {
            End(SandboxEnd.Idle);
        }

        if (now >= _createdTimestamp + Ticks(MaxLifetime))
        {
            End(SandboxEnd.Lifetime);
        }
    }

    private void CompleteFinished(long now)
    {
        for (var i = _active.Count - 1; i >= 0; i--)
        {
            var exec = _active[i];
            if (exec.Ended && (!exec.OutputOpen || now >= exec.DrainUntil))
            {
                _active.RemoveAt(i);
                Complete(exec);
            }
        }
    }

    private void Complete(LiveExec exec)
    {
        exec.ClosePipes();
        var counters = _cgroup is null ? default : new CgroupCounters(_cgroup.OomKills, _cgroup.PidsRefusals, _cgroup.PeakMemoryBytes);
        (_oomKillsSeen, _pidsRefusalsSeen) = (counters.OomKills, counters.PidsRefusals);
        var result = LiveResults.Build(exec, this, _cgroup is null ? null : counters);
        foreach (var hit in result.LimitHits)
        {
            _events.Publish(SecurityEventKind.LimitHit, hit.Limit, hit.Limit == Core.Runs.LimitKind.Pids.Name ? Severity.Medium : Severity.Low, "stopped", Id, Profile, count: true);
        }

        if (exec.StartFailure is not null)
        {
            exec.Started.TrySetResult(new LiveStart(0, result));
        }

        exec.Started.TrySetResult(new LiveStart(exec.Pid, null));
        exec.Finished.TrySetResult(result);
    }

    private void End(SandboxEnd reason)
    {
        _endReason ??= reason;
        _spawn?.Process.Kill();
    }

    /// <summary>The agent sent what it may not: nothing more it says is believed, and the sandbox ends.</summary>
    private void Fault() => End(SandboxEnd.AgentFailed);

    /// <summary>Ends what is left once bubblewrap is gone: each exec is reported, every waiting call is answered.</summary>
    private void Shutdown()
    {
        var ended = new SandboxEndedException(Id, _endReason ?? SandboxEnd.AgentFailed);
        _ready.TrySetException(ended);
        foreach (var exec in _active)
        {
            if (exec.Pid == 0 && exec.StartFailure is null)
            {
                exec.ClosePipes();
                exec.Started.TrySetException(ended);
                exec.Finished.TrySetException(ended);
                continue;
            }

            foreach (var pipe in new[] { exec.StdoutPipe, exec.StderrPipe })
            {
                if (pipe is not null)
                {
                    _ = Drain(pipe, pipe == exec.StdoutPipe ? exec.Stdout : exec.Stderr);
                }
            }

            if (!exec.Ended)
            {
                exec.EndedWithSandbox = true;
                exec.EndedAt = Stopwatch.GetTimestamp();
            }

            Complete(exec);
        }

        _active.Clear();
        foreach (var (_, op) in _fileOps)
        {
            op.Reply?.Dispose();
            op.Done.TrySetException(ended);
        }

        _fileOps.Clear();
        lock (_postLock)
        {
            _loopOver = true;
        }

        while (_posted.TryDequeue(out var call))
        {
            call.Fail(ended);
        }
    }

    /// <returns>False at end of file.</returns>
    private unsafe bool Drain(SafeFileHandle pipe, OutputSink sink)
    {
        while (true)
        {
            nint read;
            fixed (byte* pointer = _chunk)
            {
                read = Read(Fd(pipe), pointer, ChunkSize);
            }

            if (read < 0)
            {
                return Marshal.GetLastPInvokeError() is EINTR or EAGAIN;
            }

            if (read == 0)
            {
                return false;
            }

            sink.Write(_chunk.AsSpan(0, (int)read));
            if (read < ChunkSize)
            {
                return true;
            }
        }
    }

    private static bool IsSeccompListener(int fd) =>
        new FileInfo("/proc/self/fd/" + fd.ToString(System.Globalization.CultureInfo.InvariantCulture)).LinkTarget == "anon_inode:seccomp notify";

    private static void SetNonBlocking(SafeFileHandle handle) => Interop.Interop.SetNonBlocking(Fd(handle));

    private static int Fd(SafeHandle handle) => SandboxExecution.Fd(handle);

    private static long Ticks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);
}

/// <summary>What the agent answered to a file operation: errno, two counts, and aisbx's reply file (read, then disposed, by the caller).</summary>
internal sealed record FileDone(int Error, ulong Count, ulong Flags, SafeFileHandle? Reply);
