namespace Aisbx.Core.Runs;

/// <summary>
/// The exit codes of <c>aisbx run</c> besides the program's own, after <c>docker run</c> and <c>timeout</c>. Each is
/// named once here, for the engine, the CLI and the servers.
/// </summary>
public static class ExitCodes
{
    /// <summary>The wall-clock limit ended the run.</summary>
    public const int TimedOut = 124;

    /// <summary>aisbx refused the run or could not start the sandbox.</summary>
    public const int OwnError = 125;

    /// <summary>The command exists in the sandbox but cannot be executed.</summary>
    public const int CannotExecute = 126;

    /// <summary>The command is not in the sandbox.</summary>
    public const int NotFound = 127;

    /// <summary>Signal N ended the program: 128 + N, the shell's convention.</summary>
    public const int SignalBase = 128;

    public const int SignalKill = 9;

    public const int SignalPipe = 13;

    public const int SignalCpuExceeded = 24;

    public const int SignalFileSizeExceeded = 25;

    public const int SignalBadSyscall = 31;

    /// <summary>SIGKILL: a limit, a cancellation, or the death of aisbx ended the sandbox.</summary>
    public const int Killed = SignalBase + SignalKill;

    /// <summary>SIGPIPE: the reader of the output went away, or the output was closed.</summary>
    public const int BrokenPipe = SignalBase + SignalPipe;

    /// <summary>SIGSYS: a forbidden syscall ended the sandbox.</summary>
    public const int BadSyscall = SignalBase + SignalBadSyscall;

    public static int ForSignal(int signal) => SignalBase + signal;

    /// <summary>The signal behind an exit code of 128+N, as a shell reports it; null for an ordinary exit.</summary>
    public static int? SignalOf(int exitCode) => exitCode is > SignalBase and < SignalBase + 65 ? exitCode - SignalBase : null;
}
