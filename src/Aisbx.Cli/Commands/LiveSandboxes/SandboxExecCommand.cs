using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Aisbx.Core;
using Aisbx.Core.Runs;
using Aisbx.Sandbox;

namespace Aisbx.Cli.Commands.LiveSandboxes;

/// <summary>
/// <c>aisbx sandbox exec ID [options] -- COMMAND [ARG...]</c>: runs a program in a live sandbox, passes its output
/// through and exits with its code, as <c>aisbx run</c> does (124 timeout, 128+N signal, 125 aisbx's own refusal).
/// </summary>
internal static class SandboxExecCommand
{
    public static Command Create(Option<string?> server)
    {
        var id = new Argument<string>("id") { Description = "The sandbox's handle (sbx-…), as 'aisbx sandbox create' printed it" };
        var cwd = new Option<string?>("--cwd", "-w") { Description = "Working directory: relative to /workspace, or under /workspace or /tmp (default: /workspace)" };
        var env = new Option<string[]>("--env", "-e") { Description = "Environment variable KEY=VALUE of this exec (repeatable)", AllowMultipleArgumentsPerToken = false };
        var timeout = new Option<string?>("--timeout", "-t") { Description = "Wall-clock limit of this exec, e.g. 30s (default: the profile's); the sandbox lives on" };
        var background = new Option<bool>("--background", "-d") { Description = "Start it in the background and print its process id (read its output with 'aisbx sandbox logs'); stdin is not sent" };
        var noStdin = new Option<bool>("--no-stdin") { Description = "Send no stdin, even when stdin is not a terminal (for scripts whose stdin is not the program's)" };
        var json = new Option<bool>("--json") { Description = "Print the result document (as 'aisbx run --json' does) instead of passing output through" };
        // Not CaptureRemainingTokens: that would take the options after ID as the command. After '--' every word is the command's.
        var command = new Argument<string[]>("command")
        {
            Description = "The program and its arguments, after -- (needed when one starts with -)",
            Arity = ArgumentArity.OneOrMore,
        };

        var exec = new Command("exec", "Run a command in a live sandbox; its stdin is yours when that is not a terminal")
        {
            id, cwd, env, timeout, background, noStdin, json, command,
        };

        exec.SetAction(async (parseResult, cancellationToken) =>
        {
            var handle = parseResult.GetValue(id)!;
            try
            {
                return await ExecuteAsync(parseResult, handle, cancellationToken);
            }
            catch (AisbxException ex) when (parseResult.GetValue(json) && !parseResult.GetValue(background))
            {
                // A program that asked for a document gets one, whatever went wrong (as 'aisbx run --json').
                var rule = ex is SandboxRefusal refusal ? refusal.Rule : "usage";
                Console.Out.WriteLine(JsonSerializer.Serialize(RunResult.ForError("", rule, ex.Message, handle), AisbxJsonContext.Default.RunResult));
                throw;
            }
        });
        return exec;

        async Task<int> ExecuteAsync(ParseResult parseResult, string handle, CancellationToken cancellationToken)
        {
            var commandLine = parseResult.GetValue(command) ?? [];
            SandboxHandle.Check(handle);
            using var client = SandboxCommands.Client(parseResult, server); // before stdin is waited for: no server set is said at once
            var body = RequestBodies.Of(new RequestBodies.Exec(
                commandLine,
                parseResult.GetValue(cwd),
                OptionValues.Env(parseResult.GetValue(env) ?? []),
                // A background process keeps its stdin open on the server for later writes (REST, MCP); the CLI's own
                // stdin is not waited for, so that starting one returns at once even from a script with a pipe open.
                parseResult.GetValue(noStdin) || parseResult.GetValue(background) ? null : ExecStdin.Read(handle),
                SandboxCreateCommand.Checked(parseResult.GetValue(timeout), "--timeout"),
                parseResult.GetValue(background)));
            if (body.Length > ExecStdin.MaxRequestBytes)
            {
                throw ExecStdin.TooLarge(handle);
            }

            var (result, started) = await client.ExecAsync(handle, body, cancellationToken);
            if (started is not null)
            {
                Console.Out.WriteLine(parseResult.GetValue(json)
                    ? JsonSerializer.Serialize(started, AisbxJsonContext.Default.BackgroundStarted)
                    : started.ProcessId.ToString(CultureInfo.InvariantCulture));
                return 0;
            }

            if (parseResult.GetValue(json))
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(result!, AisbxJsonContext.Default.RunResult));
                return result!.ExitCode;
            }

            // Stdout closed, or its reader gone: 141, as SIGPIPE would end a program writing to it (as 'aisbx run').
            return ExecReport.PassThrough(result!, CallerDescriptors.Output(1), CallerDescriptors.Output(2)) ? result!.ExitCode : ExitCodes.BrokenPipe;
        }
    }
}
