using Aisbx.Sandbox.Launch;

namespace Aisbx.Sandbox.Results;

/// <summary>Decides whether a sandbox that ended ever started its program, and if not, says why in one line.</summary>
internal static class StartFailure
{
    /// <exception cref="SandboxStartException">bubblewrap or the launcher stopped before the program ran.</exception>
    public static void ThrowIfNotStarted(ExecutionOutcome outcome, string stderrTail)
    {
        if (outcome.TimedOut || outcome.Cancelled || outcome.KilledForViolation || outcome.OutputClosed)
        {
            return; // aisbx ended it itself; the result says so.
        }

        if (!outcome.FilterInstalled && outcome.ProgramExitCode is not null)
        {
            // The launcher ran but never handed over a filter: it refused to start the program, and said why.
            throw new SandboxStartException($"the sandbox could not start: {LastLine(stderrTail)}. Run 'aisbx doctor' to check this host");
        }

        if (outcome.ProgramExitCode is null && outcome.Exit.Signal is null)
        {
            // No exit-code from bubblewrap: the sandbox never got as far as the launcher.
            var reason = LastLine(stderrTail);
            throw new SandboxStartException(
                $"the sandbox could not start: {(reason.Length > 0 ? reason : $"bubblewrap exited {outcome.Exit.ExitCode}")}. Run 'aisbx doctor' to check this host");
        }
    }

    /// <summary>Why a live sandbox's agent never reported ready: the last line bubblewrap or the agent wrote.</summary>
    public static string Explain(string stderrTail, ChildExit exit)
    {
        var reason = LastLine(stderrTail);
        return $"the sandbox could not start: {(reason.Length > 0 ? reason : exit.Signal is { } signal ? $"bubblewrap was killed by signal {signal}" : $"bubblewrap exited {exit.ExitCode}")}. Run 'aisbx doctor' to check this host";
    }

    private static string LastLine(string text) =>
        text.TrimEnd('\n', '\r').Split('\n').LastOrDefault()?.Trim() ?? "";
}
