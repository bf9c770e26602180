using System.Collections.Immutable;
using Aisbx.Core.Runs;
using Aisbx.Sandbox.Launch;
using Aisbx.Sandbox.Output;
using Aisbx.Sandbox.Seccomp;
using Microsoft.Win32.SafeHandles;

namespace Aisbx.Sandbox.Live;

/// <summary>
/// One program started in a live sandbox, as the sandbox's loop tracks it: aisbx's ends of its pipes, where its
/// output goes, its clock, and how it ended. Only the loop's thread changes it; callers wait on its tasks.
/// </summary>
internal sealed class LiveExec(uint id, ImmutableArray<string> command, bool background, OutputSink stdout, OutputSink stderr, TimeSpan? timeout)
{
    private readonly Queue<ReadOnlyMemory<byte>> _input = new();
    private int _inputOffset;
    private long _inputQueued;

    public uint Id => id;

    public ImmutableArray<string> Command => command;

    public bool Background => background;

    public OutputSink Stdout => stdout;

    public OutputSink Stderr => stderr;

    public SafeFileHandle? StdoutPipe { get; set; }

    public SafeFileHandle? StderrPipe { get; set; }

    public SafeFileHandle? StdinPipe { get; set; }

    /// <summary>A pipe's read end to hand to the program as its stdin instead of one aisbx writes (not owned here).</summary>
    public SafeFileHandle? GivenStdin { get; init; }

    /// <summary>The reader of passed-through output went away: like SIGPIPE, that ended the program (141).</summary>
    public bool OutputClosed { get; set; }

    /// <summary>Close stdin once what is queued has been written.</summary>
    public bool CloseInputWhenWritten { get; set; }

    /// <summary>The pid inside the sandbox (the leader of the exec's process group), once the agent has started it.</summary>
    public int Pid { get; set; }

    public long SentAt { get; set; }

    public long? Deadline { get; set; }

    public TimeSpan? Timeout => timeout;

    public bool TimedOut { get; set; }

    public long? KilledAt { get; set; }

    /// <summary>The wait status the agent reported; null until the program ended.</summary>
    public int? WaitStatus { get; set; }

    /// <summary>126 or 127 when the program could not be started (the agent wrote why to its stderr).</summary>
    public int? StartFailure { get; set; }

    public double CpuTimeMs { get; set; }

    public ulong WorkspaceBytesAtExit { get; set; }

    public long EndedAt { get; set; }

    /// <summary>After the exit, output still arriving is read until this moment, then the pipes are let go.</summary>
    public long? DrainUntil { get; set; }

    /// <summary>The sandbox ended while this ran: for what reason aisbx reports it.</summary>
    public bool EndedWithSandbox { get; set; }

    public long OomKillsAtStart { get; set; }

    public long PidsRefusalsAtStart { get; set; }

    public ViolationLog? Violations { get; set; }

    public bool CpuTimeHit { get; set; }

    public bool KilledForViolation { get; set; }

    public bool Ended => WaitStatus is not null || StartFailure is not null || EndedWithSandbox;

    public bool OutputOpen => StdoutPipe is not null || StderrPipe is not null;

    /// <summary>Completed with the pid once started, or with a result when it could not start.</summary>
    public TaskCompletionSource<LiveStart> Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completed with the result document when the program has ended and its output is read.</summary>
    public TaskCompletionSource<RunResult> Finished { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool HasInput => _input.Count > 0;

    /// <summary>Bytes given for stdin that the program has not read yet.</summary>
    public long PendingInput => _inputQueued - _inputOffset;

    public void QueueInput(ReadOnlyMemory<byte> bytes)
    {
        if (!bytes.IsEmpty)
        {
            _input.Enqueue(bytes);
            _inputQueued += bytes.Length;
        }
    }

    /// <summary>Writes what the pipe takes without blocking; closes stdin when asked and all is written.</summary>
    public unsafe void PumpInput()
    {
        while (StdinPipe is not null && _input.TryPeek(out var next))
        {
            var rest = next[_inputOffset..];
            nint written;
            fixed (byte* pointer = rest.Span)
            {
                written = Interop.Interop.Write(SandboxExecution.Fd(StdinPipe), pointer, rest.Length);
            }

            if (written < 0)
            {
                if (System.Runtime.InteropServices.Marshal.GetLastPInvokeError() == Interop.Interop.EAGAIN)
                {
                    return;
                }

                _input.Clear(); // The program closed its stdin: what is left has nowhere to go.
                _inputOffset = 0;
                _inputQueued = 0;
                break;
            }

            _inputOffset += (int)written;
            if (_inputOffset < next.Length)
            {
                return;
            }

            _inputQueued -= _input.Dequeue().Length;
            _inputOffset = 0;
        }

        if (CloseInputWhenWritten && _input.Count == 0)
        {
            StdinPipe?.Dispose();
            StdinPipe = null;
        }
    }

    public void ClosePipes()
    {
        StdoutPipe?.Dispose();
        StderrPipe?.Dispose();
        StdinPipe?.Dispose();
        StdoutPipe = StderrPipe = StdinPipe = null;
        _input.Clear();
        _inputOffset = 0;
        _inputQueued = 0;
    }
}

/// <summary>How an exec started: its pid inside, or (126/127) the result of a program that could not be started.</summary>
public readonly record struct LiveStart(int Pid, RunResult? NotStarted);
