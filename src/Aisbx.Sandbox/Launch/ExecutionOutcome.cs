namespace Aisbx.Sandbox.Launch;

/// <summary>What happened to a launched sandbox, before it is turned into a result document.</summary>
internal sealed record ExecutionOutcome(
    ChildExit Exit,
    int? ProgramExitCode,
    bool TimedOut,
    bool Cancelled,
    bool StdinTruncated,
    TimeSpan Duration,
    CgroupUsage? Cgroup)
{
    /// <summary>The launcher installed the syscall filter and handed over its listener, so the program ran filtered.</summary>
    public bool FilterInstalled { get; init; }

    /// <summary>The reader of the streamed output went away (or the output was closed), and aisbx ended the sandbox as SIGPIPE would.</summary>
    public bool OutputClosed { get; init; }

    /// <summary>A syscall the profile kills for ended the sandbox.</summary>
    public bool KilledForViolation { get; init; }

    /// <summary>
    /// SIGSYS that aisbx did not send: the kernel's own kill for a syscall through a foreign ABI (the filter's one
    /// fixed KILL_PROCESS rule).
    /// </summary>
    public bool KilledByForeignAbi =>
        !KilledForViolation && (ProgramExitCode == Core.Runs.ExitCodes.BadSyscall || Exit.Signal == Core.Runs.ExitCodes.SignalBadSyscall);
}

/// <summary>What the sandbox's cgroup saw: the peak memory, and whether the memory, process or CPU-time limit was reached.</summary>
internal sealed record CgroupUsage(long? PeakMemoryBytes, bool MemoryLimitHit, bool PidsLimitHit, bool CpuTimeLimitHit);
