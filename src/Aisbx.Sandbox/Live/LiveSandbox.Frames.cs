using System.Collections.Immutable;
using System.Diagnostics;
using Aisbx.Core.Sandboxes;
using Aisbx.Core.Security;
using Aisbx.Launcher;
using Aisbx.Sandbox.Launch;
using Aisbx.Sandbox.Seccomp;
using static Aisbx.Sandbox.Interop.Interop;

namespace Aisbx.Sandbox.Live;

/// <summary>The agent's frames: what each may be, what aisbx does about it, and the frames aisbx sends.</summary>
public sealed partial class LiveSandbox
{
    /// <returns>False once the agent's end is closed.</returns>
    private bool ReadFrames()
    {
        while (true)
        {
            switch (_channel!.Receive(out var frame, out var descriptor, out var egress))
            {
                case ReceiveResult.Nothing:
                    return true;
                case ReceiveResult.Closed:
                    End(SandboxEnd.AgentFailed);
                    return false;
                case ReceiveResult.Malformed:
                    Fault();
                    return false;
            }

            if (frame.Type == AgentMessage.Ready && egress.Length > 0 && !_ready.Task.IsCompleted)
            {
                TakeEgress(egress);
            }
            else if (egress.Length > 0)
            {
                AgentChannel.CloseAll(descriptor, egress);
                Fault();
                return false;
            }

            if (!Handle(frame, descriptor))
            {
                AgentChannel.CloseAll(descriptor, []);
                Fault();
                return false;
            }
        }
    }

    private void TakeEgress(int[] descriptors)
    {
        if (Egress is { } egress)
        {
            egress.Adopt(descriptors);
        }
        else
        {
            AgentChannel.CloseAll(-1, descriptors);
        }
    }

    /// <summary>Acts on one frame from the agent; false when the frame is not one the agent may send now.</summary>
    private bool Handle(AgentMessage frame, int descriptor)
    {
        if (frame.Type == AgentMessage.Ready)
        {
            if (_ready.Task.IsCompleted || descriptor < 0 || !IsSeccompListener(descriptor))
            {
                return false;
            }

            _monitor!.Adopt(descriptor);
            _ready.TrySetResult();
            return true;
        }

        if (descriptor >= 0 || !_ready.Task.IsCompleted)
        {
            return false;
        }

        if (frame.Type == AgentMessage.FileDone)
        {
            if (!_fileOps.Remove(frame.Id, out var op))
            {
                return false;
            }

            op.Done.TrySetResult(new FileDone(frame.A, frame.C, frame.D, op.Reply));
            return true;
        }

        var exec = _active.Find(e => e.Id == frame.Id);
        if (exec is null || exec.Ended)
        {
            return false;
        }

        var now = Stopwatch.GetTimestamp();
        switch (frame.Type)
        {
            case AgentMessage.Started when exec.Pid == 0 && frame.A > 1 && !_active.Any(e => e.Pid == frame.A):
                exec.Pid = frame.A;
                exec.Deadline = exec.Timeout is { } timeout ? now + Ticks(timeout) : null;
                Claim(exec);
                if (exec.Background)
                {
                    _processes[exec.Pid] = exec;
                }

                exec.Started.TrySetResult(new LiveStart(exec.Pid, null));
                return true;
            case AgentMessage.Failed when exec.Pid == 0 && frame.A is 126 or 127:
                exec.StartFailure = frame.A;
                exec.EndedAt = now;
                exec.DrainUntil = now + Ticks(DrainGrace);
                return true;
            case AgentMessage.Failed when exec.Pid == 0 && frame.A == 125:
                _active.Remove(exec);
                exec.ClosePipes();
                var refusal = new SandboxFileException("cwd-missing", "the working directory does not exist in the sandbox (or is not a directory): create it first, or leave out cwd for /workspace");
                exec.Started.TrySetException(refusal);
                exec.Finished.TrySetException(refusal);
                return true;
            case AgentMessage.Exited when exec.Pid > 0:
                exec.WaitStatus = frame.A;
                exec.CpuTimeMs = Math.Min(frame.C, (ulong)TimeSpan.FromDays(365).TotalMicroseconds) / 1000.0;
                exec.WorkspaceBytesAtExit = frame.D;
                exec.EndedAt = now;
                exec.DrainUntil = now + Ticks(DrainGrace);
                return true;
            default:
                return false;
        }
    }

    private void StartExec(LiveExec exec, string workingDirectory, ImmutableArray<KeyValuePair<string, string>> environment, ReadOnlyMemory<byte> stdin)
    {
        using var request = AgentRequests.Exec(workingDirectory, exec.Command, environment);
        // A given stdin pipe goes to the program as it is, and its feeder (another aisbx process) writes it.
        var input = exec.GivenStdin is null ? PipePair.Create() : (PipePair?)null;
        var output = PipePair.Create();
        var errors = PipePair.Create();
        bool sent;
        using (input?.Read)
        using (output.Write)
        using (errors.Write)
        {
            var stdinFd = input is { } own ? Fd(own.Read) : Fd(exec.GivenStdin!);
            sent = _channel!.Send(new AgentMessage(AgentMessage.Exec, exec.Id, 0, 0, 0, 0), [Fd(request), stdinFd, Fd(output.Write), Fd(errors.Write)]);
        }

        if (!sent)
        {
            input?.Dispose();
            output.Dispose();
            errors.Dispose();
            throw new SandboxEndedException(Id, _endReason ?? SandboxEnd.AgentFailed);
        }

        if (input is { } pipe)
        {
            SetNonBlocking(pipe.Write);
            exec.StdinPipe = pipe.Write;
        }

        SetNonBlocking(output.Read);
        SetNonBlocking(errors.Read);
        exec.StdoutPipe = output.Read;
        exec.StderrPipe = errors.Read;
        exec.SentAt = Stopwatch.GetTimestamp();
        // The counters as last read (they only grow): a hit since then shows in this exec, at no read per start.
        exec.OomKillsAtStart = _oomKillsSeen;
        exec.PidsRefusalsAtStart = _pidsRefusalsSeen;
        exec.Violations = new ViolationLog(PublishViolation);
        exec.QueueInput(stdin);
        exec.CloseInputWhenWritten = !exec.Background;
        exec.PumpInput();
        _active.Add(exec);
    }

    private void KillExec(LiveExec exec)
    {
        if (exec.Ended || exec.KilledAt is not null)
        {
            return;
        }

        exec.KilledAt = Stopwatch.GetTimestamp();
        _ = _channel!.Send(new AgentMessage(AgentMessage.Signal, exec.Id, SIGKILL, 0, 0, 0), []);
    }

    private void OnViolation(SyscallViolation violation)
    {
        var inner = ProcessGroups.InnerLeaderOf(_monitor!.LastCallerPid);
        var exec = inner is { } pid ? _active.Find(e => e.Pid == pid) : null;
        if (exec is null && _active.Count == 1)
        {
            // The only exec running: its group could not be told (its STARTED still on the way, or /proc raced).
            exec = _active[0];
        }
        if (exec is not null && violation.Action == Core.Profiles.SyscallAction.Kill)
        {
            exec.KilledForViolation = true;
        }

        (exec?.Violations ?? _sandboxViolations).Record(violation);
        if (exec is null && inner is { } unclaimed)
        {
            // The program may run (and break a rule) before the agent's STARTED for it arrives: kept to be claimed.
            _unclaimed.Enqueue((unclaimed, violation));
            while (_unclaimed.Count > 64)
            {
                _unclaimed.Dequeue();
            }
        }
    }

    /// <summary>Gives a just-started exec the violations its program made before aisbx knew its pid (already published).</summary>
    private void Claim(LiveExec exec)
    {
        var count = _unclaimed.Count;
        for (var i = 0; i < count; i++)
        {
            var (pid, violation) = _unclaimed.Dequeue();
            if (pid != exec.Pid)
            {
                _unclaimed.Enqueue((pid, violation));
                continue;
            }

            exec.Violations?.Record(violation, publish: false);
            exec.KilledForViolation |= violation.Action == Core.Profiles.SyscallAction.Kill;
        }
    }

    private void PublishViolation(SyscallViolation v) =>
        _events.Publish(SecurityEventKind.Violation, v.Detail, v.Severity, ViolationLog.ActionName(v.Action), Id, Profile, count: true, v.Time);
}
