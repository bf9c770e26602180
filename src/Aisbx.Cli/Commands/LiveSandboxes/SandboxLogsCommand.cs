using System.CommandLine;
using System.Text;
using Aisbx.Core.Runs;
using Aisbx.Core.Sandboxes;
using Aisbx.Sandbox;

namespace Aisbx.Cli.Commands.LiveSandboxes;

/// <summary>
/// <c>aisbx sandbox logs ID PID [--follow]</c>: what a background process wrote, read from the server's rings with
/// offsets. With <c>--follow</c> it polls until the process ends, and exits with its exit code.
/// </summary>
internal static class SandboxLogsCommand
{
    /// <summary>
    /// Polls start this often after new output and slow down to <see cref="SlowestPoll"/> while none comes, so that
    /// following a quiet process spends little of the key's requests a minute (100 by default).
    /// </summary>
    private static readonly TimeSpan FastestPoll = TimeSpan.FromMilliseconds(250);

    private static readonly TimeSpan SlowestPoll = TimeSpan.FromSeconds(3);

    public static Command Create(Option<string?> server)
    {
        var id = new Argument<string>("id") { Description = "The sandbox's handle (sbx-…)" };
        var pid = new Argument<int>("pid") { Description = "The process id that 'aisbx sandbox exec --background' printed" };
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing until the process ends, then exit with its exit code" };
        var logs = new Command("logs", "Print what a background process wrote to stdout and stderr (kept in bounded rings on the server)") { id, pid, follow };
        logs.SetAction(async (parseResult, cancellationToken) =>
        {
            var handle = SandboxHandle.Check(parseResult.GetValue(id)!);
            var processId = parseResult.GetValue(pid);
            using var client = SandboxCommands.Client(parseResult, server);
            var stdout = CallerDescriptors.Output(1);
            var stderr = CallerDescriptors.Output(2);
            var (offset, stderrOffset) = (0L, 0L);
            var pause = FastestPoll;
            while (true)
            {
                ProcessOutput output;
                try
                {
                    output = await client.ReadProcessAsync(handle, processId, offset, stderrOffset, cancellationToken);
                }
                catch (SandboxRefusal limited) when (limited.Rule == "rate-limit" && parseResult.GetValue(follow))
                {
                    // Over the key's requests a minute: nothing is lost (the offsets hold), so wait as told and go on.
                    await Task.Delay(limited.RetryAfter ?? SlowestPoll, cancellationToken);
                    continue;
                }

                if (!Write(stdout, output.Stdout))
                {
                    return ExitCodes.BrokenPipe;
                }

                Write(stderr, output.Stderr + Dropped(output));
                var advanced = output.Offset != offset || output.StderrOffset != stderrOffset;
                (offset, stderrOffset) = (output.Offset, output.StderrOffset);
                if (advanced)
                {
                    pause = FastestPoll;
                    continue; // one read returns a bounded piece: read on until nothing new is left
                }

                if (!parseResult.GetValue(follow))
                {
                    return 0;
                }

                if (!output.Running)
                {
                    return output.ExitCode ?? ExitCodes.OwnError;
                }

                await Task.Delay(pause, cancellationToken);
                pause = pause * 2 < SlowestPoll ? pause * 2 : SlowestPoll;
            }
        });
        return logs;
    }

    private static string Dropped(ProcessOutput output) =>
        (output.Dropped > 0 ? $"aisbx: {output.Dropped} bytes of stdout were dropped before this: the ring keeps only the newest; read more often\n" : "")
        + (output.StderrDropped > 0 ? $"aisbx: {output.StderrDropped} bytes of stderr were dropped before this: the ring keeps only the newest; read more often\n" : "");

    private static bool Write(Stream stream, string text)
    {
        try
        {
            stream.Write(Encoding.UTF8.GetBytes(text));
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }
}
