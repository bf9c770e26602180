using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Diagnostics;
using Aisbx.Core.Profiles;
using Aisbx.Core.Runs;
using Aisbx.Core.Sandboxes;
using Aisbx.Sandbox.Bubblewrap;
using Aisbx.Sandbox.Output;

using Aisbx.Launcher;

namespace Aisbx.Sandbox.Live;

/// <summary>
/// A sandbox that stays up between calls: bubblewrap with aisbx's agent as its first process, one thread of aisbx
/// that spawned it and supervises it (<see cref="RunLoop"/>), and the three clocks (an exec's timeout; the idle
/// timeout and the maximum lifetime, which close the sandbox). Every method may be called from any thread: each
/// posts its work to the sandbox's loop and waits for the answer.
/// </summary>
public sealed partial class LiveSandbox : IDisposable
{
    private readonly LaunchPlan _plan;
    private ResourceLimits _limits;
    private readonly Core.Configuration.LiveSandboxSettings _settings;
    private RunEvents _events;
    private readonly Func<LiveExecRequest, LaunchPlan, ImmutableArray<KeyValuePair<string, string>>> _approveExec;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<SandboxEnd> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentDictionary<int, LiveExec> _processes = new();
    private readonly long _createdTimestamp = Stopwatch.GetTimestamp();
    private long _lastUse = Stopwatch.GetTimestamp();
    private SandboxEnd? _endReason;

    /// <summary>What the sandbox keeps while it lives and gives back when it ends (its tree's lease).</summary>
    internal IDisposable? Holds { get; init; }

    /// <summary>Its egress proxy, when its network is an allowlist: it lives as long as the sandbox.</summary>
    internal Aisbx.Sandbox.Egress.SandboxEgress? Egress { get; init; }

    /// <summary>The sandbox's network so far: its mode, and with an allowlist every connection its proxy saw.</summary>
    public NetworkReport Network => Egress?.Report() ?? new NetworkReport(Core.Profiles.NetworkModeText.Format(_plan.Network));

    internal LiveSandbox(
        LaunchPlan plan, ResourceLimits limits, Core.Configuration.LiveSandboxSettings settings, TimeSpan idleTimeout, TimeSpan maxLifetime,
        string owner, RunEvents events, Func<LiveExecRequest, LaunchPlan, ImmutableArray<KeyValuePair<string, string>>> approveExec)
    {
        _plan = plan;
        _limits = limits;
        _settings = settings;
        _events = events;
        _approveExec = approveExec;
        IdleTimeout = idleTimeout;
        MaxLifetime = maxLifetime;
        Owner = owner;
        _sandboxViolations = new Seccomp.ViolationLog(PublishViolation);
    }

    /// <summary>The handle: <c>sbx-</c> and 128 random bits.</summary>
    public string Id => _plan.SandboxId;

    public string Profile => _plan.ProfileName;

    /// <summary>The caller that created it, and the only one that may use it.</summary>
    public string Owner { get; }

    public DateTimeOffset CreatedAt { get; } = DateTimeOffset.UtcNow;

    public TimeSpan IdleTimeout { get; }

    public TimeSpan MaxLifetime { get; }

    /// <summary>What /workspace may hold: its tmpfs's size, or none of aisbx's for a host directory (as a one-shot run's).</summary>
    public long WorkspaceLimitBytes => HostWorkspace is null ? _settings.WorkspaceBytes : long.MaxValue;

    /// <summary>The limits of the whole sandbox (CPU time across all execs) and of each exec (its timeout).</summary>
    public ResourceLimits Limits => _limits;

    /// <summary>Completes with the reason once the sandbox has ended and everything of it is gone.</summary>
    public Task<SandboxEnd> Ended => _ended.Task;

    public DateTimeOffset ExpiresAt
    {
        get
        {
            var idleLeft = IdleTimeout - Stopwatch.GetElapsedTime(Volatile.Read(ref _lastUse));
            var lifeLeft = MaxLifetime - Stopwatch.GetElapsedTime(_createdTimestamp);
            return DateTimeOffset.UtcNow + (idleLeft < lifeLeft ? idleLeft : lifeLeft);
        }
    }

    /// <summary>A call came: the idle clock starts again.</summary>
    public void Touch() => Volatile.Write(ref _lastUse, Stopwatch.GetTimestamp());

    /// <summary>Runs a program and waits for it: the result document, with the output kept up to the profile's cap.</summary>
    public async Task<RunResult> ExecAsync(LiveExecRequest request, CancellationToken cancellationToken)
    {
        var (cwd, environment) = Approve(request);
        var exec = Prepare(request with { Background = false });
        PostStart(exec, cwd, environment, request.Stdin);
        using var cancel = cancellationToken.Register(() => Post(() => KillExec(exec), _ => { }));
        var result = await exec.Finished.Task.ConfigureAwait(false);
        Touch();
        return result;
    }

    /// <summary>Starts a program in the background: its pid once it runs, or the result of a program that could not start.</summary>
    public async Task<LiveStart> StartBackgroundAsync(LiveExecRequest request, CancellationToken cancellationToken)
    {
        var (cwd, environment) = Approve(request);
        var exec = Prepare(request with { Background = true });
        PostStart(exec, cwd, environment, request.Stdin);
        var started = await AnswerOf(exec.Started.Task, cancellationToken).ConfigureAwait(false);
        Touch();
        return started;
    }

    /// <summary>What a background process wrote from the given offsets on (at most <paramref name="maxBytes"/> per stream).</summary>
    public ProcessOutput ReadOutput(int processId, long offset, long stderrOffset, int maxBytes)
    {
        Touch();
        var exec = Background(processId);
        var (stdout, nextOut, droppedOut) = ((OutputRing)exec.Stdout).Read(offset, maxBytes);
        var (stderr, nextErr, droppedErr) = ((OutputRing)exec.Stderr).Read(stderrOffset, maxBytes);
        var (exitCode, signal) = LiveResults.Ending(exec);
        return new ProcessOutput
        {
            ProcessId = processId,
            Running = !exec.Finished.Task.IsCompleted,
            ExitCode = exec.Finished.Task.IsCompleted ? exitCode : null,
            Signal = exec.Finished.Task.IsCompleted ? signal : null,
            Stdout = stdout,
            Stderr = stderr,
            Offset = nextOut,
            StderrOffset = nextErr,
            Dropped = droppedOut,
            StderrDropped = droppedErr,
        };
    }

    /// <summary>What aisbx holds for the stdin of a sandbox's processes, in all, that they have not read yet.</summary>
    public const int MaxPendingInputBytes = 4 << 20;

    /// <summary>Writes to a background process's stdin, and closes it when asked.</summary>
    public Task WriteInputAsync(int processId, ReadOnlyMemory<byte> bytes, bool close, CancellationToken cancellationToken)
    {
        Touch();
        var exec = Background(processId);
        return PostAsync(() =>
        {
            if (exec.StdinPipe is null)
            {
                throw new SandboxFileException("stdin-closed", $"process {processId} has no stdin open any more (it was closed, or the process ended)");
            }

            var pending = _processes.Values.Sum(e => e.PendingInput);
            if (pending + bytes.Length > MaxPendingInputBytes)
            {
                throw new SandboxFileException("stdin-full", $"the stdin of the sandbox's processes holds {pending} bytes not read yet, and aisbx keeps at most {MaxPendingInputBytes >> 20} MiB: let process {processId} read (see its output), then write again");
            }

            exec.QueueInput(bytes.ToArray());
            exec.CloseInputWhenWritten |= close;
            exec.PumpInput();
        }, cancellationToken);
    }

    /// <summary>Sends a signal to a background process's process group.</summary>
    public Task SignalAsync(int processId, int signal, CancellationToken cancellationToken)
    {
        Touch();
        var exec = Background(processId);
        return PostAsync(() => _channel!.Send(new AgentMessage(AgentMessage.Signal, exec.Id, signal, 0, 0, 0), []), cancellationToken);
    }

    /// <summary>Waits until a background process has ended; its result holds the tail of its output.</summary>
    public async Task<RunResult> WaitAsync(int processId, CancellationToken cancellationToken)
    {
        Touch();
        var result = await Background(processId).Finished.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        Touch();
        return result;
    }

    /// <summary>The sandbox as its owner sees it: its processes, and what it uses.</summary>
    public async Task<SandboxStatus> StatusAsync(CancellationToken cancellationToken)
    {
        var workspaceBytes = await WorkspaceBytesAsync(cancellationToken).ConfigureAwait(false);
        var processes = await PostAsync(() => _active.Concat(_processes.Values).Distinct()
            .Select(e => new ProcessSummary(e.Pid, e.Command, e.Background, !e.Finished.Task.IsCompleted, e.Finished.Task.IsCompleted ? LiveResults.Ending(e).ExitCode : null))
            .Where(p => p.ProcessId > 0).OrderBy(p => p.ProcessId).ToImmutableArray(), cancellationToken).ConfigureAwait(false);
        return new SandboxStatus
        {
            SandboxId = Id,
            Profile = Profile,
            State = _endReason is null ? "running" : "ended",
            Processes = processes,
            MemoryBytes = _cgroup?.MemoryBytes,
            CpuTimeMs = _cgroup?.CpuUsage is { } cpu ? Math.Round(cpu.TotalMilliseconds, 3) : null,
            WorkspaceBytes = workspaceBytes,
            WorkspaceLimitBytes = WorkspaceLimitBytes,
            IdleForMs = Math.Round(Stopwatch.GetElapsedTime(Volatile.Read(ref _lastUse)).TotalMilliseconds, 3),
            CreatedAt = CreatedAt,
            ExpiresAt = ExpiresAt,
            Network = Network,
        };
    }

    /// <summary>Ends the sandbox: every process in it, its /workspace and /tmp, its cgroup.</summary>
    public void Close(SandboxEnd reason) => Post(() => End(reason), _ => { });

    /// <summary>Closes the sandbox (its thread lets go of everything once bubblewrap is gone).</summary>
    public void Dispose() => Close(SandboxEnd.Closed);

    /// <summary>How long the agent may take to answer a frame; a program can stop it (SIGSTOP, same uid).</summary>
    internal TimeSpan AgentAnswerLimit { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The agent's answer; one that never comes (a program stopped the agent) closes the sandbox.</summary>
    private async Task<T> AnswerOf<T>(Task<T> answer, CancellationToken cancellationToken)
    {
        try
        {
            return await answer.WaitAsync(AgentAnswerLimit, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Close(SandboxEnd.AgentFailed);
            throw new SandboxEndedException(Id, SandboxEnd.AgentFailed);
        }
    }

    /// <summary>Starts the exec on the loop's thread; the caller waits on the exec's own tasks, with no hand-off back in between.</summary>
    private void PostStart(LiveExec exec, string cwd, ImmutableArray<KeyValuePair<string, string>> environment, ReadOnlyMemory<byte> stdin)
    {
        void Fail(Exception ex)
        {
            exec.Started.TrySetException(ex);
            exec.Finished.TrySetException(ex);
        }

        Post(() =>
        {
            try
            {
                StartExec(exec, cwd, environment, stdin);
            }
            catch (Exception ex)
            {
                Fail(ex);
            }
        }, Fail);
    }

    private LiveExec Background(int processId) =>
        _processes.TryGetValue(processId, out var exec)
            ? exec
            : throw new SandboxFileException("process-not-found", $"sandbox {Id} has no background process {processId}: start one with background: true");

    /// <summary>The same rules as a run's (command, environment, sizes, the caller's lockout), then the exec's whole environment.</summary>
    private (string Cwd, ImmutableArray<KeyValuePair<string, string>> Environment) Approve(LiveExecRequest request)
    {
        if (_endReason is { } ended)
        {
            throw new SandboxEndedException(Id, ended);
        }

        var environment = _approveExec(request, _plan);
        return (LivePaths.Normalize(request.WorkingDirectory, "cwd"), environment);
    }

    private LiveExec Prepare(LiveExecRequest request)
    {
        Touch();
        OutputSink stdout = request.Background ? new OutputRing(_settings.RingBytes) : (OutputSink?)request.Streams?.Stdout ?? new CapturingSink(_limits.OutputBytes);
        OutputSink stderr = request.Background ? new OutputRing(_settings.RingBytes) : (OutputSink?)request.Streams?.Stderr ?? new CapturingSink(_limits.OutputBytes);
        var timeout = request.Timeout ?? (request.Background ? null : _limits.WallTime);
        return new LiveExec(NextId(), request.Command, request.Background, stdout, stderr, timeout) { GivenStdin = request.Streams?.StdinPipe };
    }

    private uint _nextId;

    private uint NextId() => Interlocked.Increment(ref _nextId);
}
