using System.Text.Json;
using Aisbx.Core.Runs;

namespace Aisbx.Cli.Commands;

/// <summary>What <c>aisbx run</c> says after the run: the result document, or the limits it reached; and its exit code.</summary>
internal static class RunReport
{
    public static int Finish(RunResult result, bool json, TextWriter stdout, TextWriter stderr, bool stdoutOpen)
    {
        if (json)
        {
            if (!stdoutOpen)
            {
                stderr.WriteLine("aisbx: stdout is closed, so the result document had nowhere to go: exit 141, as SIGPIPE would end a program");
                return ExitCodes.BrokenPipe;
            }

            stdout.WriteLine(JsonSerializer.Serialize(result, AisbxJsonContext.Default.RunResult));
            return result.ExitCode;
        }

        foreach (var hit in result.LimitHits)
        {
            stderr.WriteLine($"aisbx: limit reached: {hit.Describe()}");
        }

        if (result.ExitCode == ExitCodes.BrokenPipe && !stdoutOpen)
        {
            stderr.WriteLine("aisbx: stdout is closed, and the program wrote to it: the run ended as SIGPIPE would end it (exit 141)");
        }

        return result.ExitCode;
    }
}
