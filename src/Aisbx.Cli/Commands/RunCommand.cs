using System.Collections.Immutable;
using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Aisbx.Core;
using Aisbx.Core.Configuration;
using Aisbx.Core.Profiles;
using Aisbx.Core.Runs;
using Aisbx.Core.Units;
using Aisbx.Sandbox;

namespace Aisbx.Cli.Commands;

/// <summary><c>aisbx run [options] [--] COMMAND [ARG...]</c></summary>
internal static class RunCommand
{
    public static Command Create(Option<string?> configOption, IReadOnlyList<string> rawArgs)
    {
        var profile = new Option<string>("--profile", "-p") { Description = "Profile to run under", DefaultValueFactory = _ => "default" };
        var workdir = new Option<string?>("--workdir", "-w") { Description = "Host directory mounted read-write at /workspace (default: a fresh one, removed after)" };
        var timeout = new Option<string?>("--timeout", "-t") { Description = "Wall-clock limit, e.g. 500ms, 30s, 2m (default: the profile's)" };
        var memory = new Option<string?>("--memory", "-m") { Description = "Memory limit, e.g. 256M, 1G (at most the profile's)" };
        var pids = new Option<int?>("--pids") { Description = "Process limit (at most the profile's)" };
        var cpuTime = new Option<string?>("--cpu-time") { Description = "CPU-time limit, e.g. 10s (at most the profile's)" };
        var network = new Option<string?>("--network") { Description = "Network mode, where the profile allows it: none, host or allowlist" };
        network.AcceptOnlyFromAmong("none", "host", "allowlist");
        var allowHost = new Option<string[]>("--allow-host") { Description = "A host the program may reach with --network allowlist (implied when --network is left out): name, *.name, name:port, an address or [v6]:port; no port means 80 and 443. Narrows the profile's allow list, never widens it (repeatable)", AllowMultipleArgumentsPerToken = false };
        var env = new Option<string[]>("--env", "-e") { Description = "Extra environment variable KEY=VALUE (repeatable)", AllowMultipleArgumentsPerToken = false };
        var secret = new Option<string[]>("--secret", "-s") { Description = "A secret from the store, given as the environment variable of its name and redacted from the output (repeatable)", AllowMultipleArgumentsPerToken = false };
        var json = new Option<bool>("--json") { Description = "Print one result document instead of passing output through" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Print the bubblewrap command line (bash; with --json, as data) that would run, and exit" };
        var command = new Argument<string[]>("command")
        {
            Description = "The program and its arguments",
            Arity = ArgumentArity.OneOrMore,
            CaptureRemainingTokens = true,
        };

        var run = new Command("run", "Run a command in a sandbox built from a profile")
        {
            profile, workdir, timeout, memory, pids, cpuTime, network, allowHost, env, secret, json, dryRun, command,
        };

        // Synchronous on purpose: the main thread spawns and supervises the sandbox (see SandboxRunner.Run).
        run.SetAction((parseResult, cancellationToken) => Task.FromResult(Execute(parseResult, cancellationToken)));
        return run;

        int Execute(ParseResult parseResult, CancellationToken cancellationToken)
        {
            CheckoutFreshness.HandOffIfStale();
            var commandLine = parseResult.GetValue(command) ?? [];
            if (commandLine.Length > 0 && commandLine[0].StartsWith('-') && !OptionValues.CameAfterDoubleDash(rawArgs, commandLine[0]))
            {
                throw new AisbxException($"unknown option '{commandLine[0]}' for 'aisbx run': see 'aisbx run --help', and put the command after --");
            }

            var request = new RunRequest
            {
                Command = [.. commandLine],
                Profile = parseResult.GetValue(profile) ?? "default",
                Workdir = parseResult.GetValue(workdir),
                Env = OptionValues.Env(parseResult.GetValue(env) ?? []),
                Network = parseResult.GetValue(network) is { } mode && NetworkModeText.TryParse(mode, out var parsed) ? parsed : null,
                AllowHosts = OptionValues.AllowHosts(parseResult.GetValue(allowHost)),
                WallTime = OptionValues.Duration(parseResult.GetValue(timeout), "--timeout"),
                CpuTime = OptionValues.Duration(parseResult.GetValue(cpuTime), "--cpu-time"),
                MemoryBytes = OptionValues.Size(parseResult.GetValue(memory), "--memory"),
                Pids = OptionValues.Pids(parseResult.GetValue(pids)),
                CaptureOutput = parseResult.GetValue(json),
                Secrets = [.. parseResult.GetValue(secret) ?? []],
            };

            var dryRunOnly = parseResult.GetValue(dryRun);
            var resident = !dryRunOnly && Resident.ResidentClient.Suits(request)
                ? new Resident.ResidentPlace(AisbxConfigLoader.DirectoryFor(parseResult.GetValue(configOption)))
                : null;
            var attempt = resident is null ? default : Resident.ResidentClient.TryRun(resident, request, Resident.ResidentPlace.Build(), checkout: null, cancellationToken);
            if (attempt.ExitCode is { } residentExit)
            {
                return residentExit;
            }

            // The caller's name (an NSS lookup) only for a run made here: the resident server names its own user.
            request = request with { Caller = CliConfig.Caller };
            var runner = CliConfig.Runner(parseResult, configOption);
            if (dryRunOnly)
            {
                var plan = runner.Plan(request, request.Workdir ?? "/tmp/aisbx-dry-run");
                Console.Out.WriteLine(request.CaptureOutput
                    ? JsonSerializer.Serialize(DryRun.Document(plan), CliJsonContext.Default.DryRunDocument)
                    : DryRun.Render(plan));
                return 0;
            }

            // The caller's descriptors as streams the supervision loop can poll, and that report a reader gone. One
            // that aisbx's own process opened (stdin closed by the caller) never reaches the sandbox.
            using var stdin = CallerDescriptors.Stdin();
            var stdout = CallerDescriptors.Output(1);
            var stderr = CallerDescriptors.Output(2);
            // Violations, refusals and limit hits go to stderr as they happen, and into the audit log.
            using var audit = new Core.Audit.RunAuditSink(new Core.Audit.AuditLog(runner.Config.AuditDirectory));
            var events = new Core.Security.CompositeSink(new LiveEvents(stderr), audit);
            runner.SweepLeftovers(audit, request.Caller);
            var io = request.CaptureOutput
                ? new RunIo { Stdin = stdin, Events = events }
                : new RunIo { Stdin = stdin, Stdout = stdout, Stderr = stderr, Events = events };
            var result = runner.Run(request, io, cancellationToken);
            var exitCode = RunReport.Finish(result, request.CaptureOutput, Console.Out, Console.Error, CallerDescriptors.IsCallers(1));
            if (resident is not null && attempt.NoServer && runner.Config.Pool.Resident && runner.Config.Pool.SizeFor(request.Profile) > 0
                && result.Network?.Mode != NetworkModeText.Format(NetworkMode.Allowlist))
            {
                // The next run finds a sandbox waiting (a profile with an allowlist never does: its proxy is the run's).
                Resident.ResidentSpawner.Start(resident, request.Profile);
            }

            return exitCode;
        }
    }

    /// <summary>The <c>--config</c> of a command line that <see cref="IsRun"/>, told before it is parsed (null: the default).</summary>
    public static string? ConfigBeforeRun(string[] args) =>
        args is ["--config", var directory, ..] ? directory
        : args is [var first, ..] && first.StartsWith("--config=", StringComparison.Ordinal) ? first["--config=".Length..]
        : null;

    /// <summary>Whether a command line is <c>aisbx [--config DIR] run ...</c>, told before it is parsed.</summary>
    public static bool IsRun(string[] args)
    {
        var at = args is ["--config", _, ..] ? 2 : args is [var first, ..] && first.StartsWith("--config=", StringComparison.Ordinal) ? 1 : 0;
        return args.Length > at && args[at] == "run";
    }

    /// <summary>Whether this command line asks <c>aisbx run</c> for a result document: its refusals are documents too.</summary>
    public static bool WantsJson(ParseResult parseResult) =>
        parseResult.CommandResult.Command.Name == "run" && parseResult.CommandResult.Command.Options.FirstOrDefault(o => o.Name == "--json") is Option<bool> json
        && parseResult.GetResult(json) is { Implicit: false } && parseResult.GetValue(json);

    /// <summary>Prints the result document of a run aisbx refused or could not supervise, for <c>--json</c>.</summary>
    public static void PrintError(ParseResult parseResult, string rule, string message)
    {
        var profile = parseResult.CommandResult.Command.Options.FirstOrDefault(o => o.Name == "--profile") is Option<string> option
            ? parseResult.GetValue(option) ?? "default" : "default";
        Console.Out.WriteLine(JsonSerializer.Serialize(RunResult.ForError(profile, rule, message), AisbxJsonContext.Default.RunResult));
    }
}
