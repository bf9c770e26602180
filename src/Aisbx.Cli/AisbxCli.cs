using System.CommandLine;
using Aisbx.Cli.Commands;
using Aisbx.Core;
using Aisbx.Core.Policy;
using Aisbx.Core.Runs;
using Aisbx.Sandbox;

namespace Aisbx.Cli;

/// <summary>The <c>aisbx</c> command: parsing, dispatch, and the one place where failures become exit code 125.</summary>
internal static class AisbxCli
{
    public static async Task<int> RunAsync(string[] args)
    {
        var configOption = new Option<string?>("--config")
        {
            Description = "Config directory (default: $AISBX_HOME, else ~/.aisbx)",
            Recursive = true,
        };

        var root = new RootCommand("aisbx: run untrusted code in a real sandbox (bubblewrap namespaces, read-only system, one writable workspace)")
        {
            configOption,
            RunCommand.Create(configOption, args),
            ProfileCommands.Create(configOption),
            DoctorCommand.Create(configOption),
            Commands.Builds.BuildCommand.Create(configOption),
            LockoutCommands.Create(configOption),
            KeysCommands.Create(configOption),
            AuditCommands.Create(configOption),
            SecretsCommands.Create(configOption),
            Commands.LiveSandboxes.SandboxCommands.Create(),
            Resident.ResidentCommand.Create(configOption),
        };

        var parseResult = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        // A program that asked 'aisbx run --json' for a document gets one, whatever went wrong.
        var json = RunCommand.WantsJson(parseResult);
        if (parseResult.Errors.Count > 0 || parseResult.CommandResult.Command.Name != "run")
        {
            // A run waits for it later, right before it acts (its preparation overlaps the check).
            CheckoutFreshness.HandOffIfStale();
        }

        if (parseResult.Errors.Count > 0)
        {
            var command = string.Join(' ', CommandPath(parseResult.CommandResult).Prepend("aisbx"));
            var hint = parseResult.UnmatchedTokens.Count > 0 && parseResult.CommandResult.Command.Arguments.Any(a => a.Name == "command") ? ", and put the command after --" : "";
            return Fail($"{parseResult.Errors[0].Message.TrimEnd('.')} (see '{command} --help'{hint})", "usage");
        }

        try
        {
            return await parseResult.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = Commands.Builds.BuildCommand.TerminationTimeout(parseResult) });
        }
        catch (PolicyRefusal refusal)
        {
            return Fail($"refused ({refusal.Rule}): {refusal.Message}", refusal.Rule, refusal.Message);
        }
        catch (SandboxStartException ex)
        {
            return Fail(ex.Message, "sandbox-start");
        }
        catch (Resident.ResidentFailure ex)
        {
            return Fail(ex.Message, ex.Rule);
        }
        catch (SandboxStuckException ex)
        {
            return Fail(ex.Message, "sandbox-stuck");
        }
        catch (AisbxException ex)
        {
            return Fail(ex.Message, "aisbx-error");
        }
        catch (OperationCanceledException)
        {
            return Fail("interrupted", "interrupted");
        }
        catch (Exception ex)
        {
            // A bug: say so in one line, without a stack trace.
            return Fail($"internal error ({ex.GetType().Name}): {ex.Message.Split('\n')[0]}. Please report it", "internal-error");
        }

        int Fail(string message, string rule, string? documentMessage = null)
        {
            if (json)
            {
                RunCommand.PrintError(parseResult, rule, documentMessage ?? message);
            }

            return AisbxCli.Fail(message);
        }
    }

    /// <summary>The words that name a subcommand (<c>sandbox exec</c>), the root's left out.</summary>
    private static Stack<string> CommandPath(System.CommandLine.Parsing.CommandResult? result)
    {
        var names = new Stack<string>();
        for (; result?.Parent is System.CommandLine.Parsing.CommandResult parent; result = parent)
        {
            names.Push(result.Command.Name);
        }

        return names;
    }

    public static int Fail(string message)
    {
        Console.Error.WriteLine("aisbx: " + message);
        return ExitCodes.OwnError;
    }
}
