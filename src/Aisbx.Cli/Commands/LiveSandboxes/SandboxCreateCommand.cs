using System.CommandLine;
using System.Text.Json;
using Aisbx.Core.Runs;

namespace Aisbx.Cli.Commands.LiveSandboxes;

/// <summary><c>aisbx sandbox create [options]</c>: prints the handle alone, so that <c>id=$(aisbx sandbox create)</c> works.</summary>
internal static class SandboxCreateCommand
{
    public static Command Create(Option<string?> server)
    {
        var profile = new Option<string?>("--profile", "-p") { Description = "Profile of the sandbox (default: default)" };
        var memory = new Option<string?>("--memory", "-m") { Description = "Memory of the whole sandbox, e.g. 256M, 1G (at most the profile's)" };
        var pids = new Option<int?>("--pids") { Description = "Processes in the whole sandbox (at most the profile's)" };
        var cpuTime = new Option<string?>("--cpu-time") { Description = "CPU time of all its execs together, e.g. 5m (at most the profile's)" };
        var idleTimeout = new Option<string?>("--idle-timeout") { Description = "Close it after this long with no call, e.g. 10m (default: the server's)" };
        var maxLifetime = new Option<string?>("--max-lifetime") { Description = "Close it this long after creation, whatever happens, e.g. 1h (default: the server's)" };
        var network = new Option<string?>("--network") { Description = "Network mode, where the profile allows it: none, host or allowlist" };
        network.AcceptOnlyFromAmong("none", "host", "allowlist");
        var allowHost = new Option<string[]>("--allow-host") { Description = "A host the program may reach with --network allowlist (implied when --network is left out): name, *.name, name:port, an address or [v6]:port; no port means 80 and 443. Narrows the profile's allow list, never widens it (repeatable)", AllowMultipleArgumentsPerToken = false };
        var env = new Option<string[]>("--env", "-e") { Description = "Environment variable KEY=VALUE of every exec (repeatable)", AllowMultipleArgumentsPerToken = false };
        var json = new Option<bool>("--json") { Description = "Print the sandbox document instead of the handle alone" };
        var create = new Command("create", "Create a live sandbox and print its handle") { profile, memory, pids, cpuTime, idleTimeout, maxLifetime, network, allowHost, env, json };
        create.SetAction(async (parseResult, cancellationToken) =>
        {
            var body = new RequestBodies.Create(
                parseResult.GetValue(profile),
                OptionValues.Env(parseResult.GetValue(env) ?? []),
                parseResult.GetValue(network),
                OptionValues.AllowHosts(parseResult.GetValue(allowHost)),
                OptionValues.Size(parseResult.GetValue(memory), "--memory"),
                OptionValues.Pids(parseResult.GetValue(pids)),
                Checked(parseResult.GetValue(cpuTime), "--cpu-time"),
                Checked(parseResult.GetValue(idleTimeout), "--idle-timeout"),
                Checked(parseResult.GetValue(maxLifetime), "--max-lifetime"));
            using var client = SandboxCommands.Client(parseResult, server);
            var created = await client.CreateAsync(RequestBodies.Of(body), cancellationToken);
            Console.Out.WriteLine(parseResult.GetValue(json) ? JsonSerializer.Serialize(created, AisbxJsonContext.Default.SandboxCreated) : created.SandboxId);
            return 0;
        });
        return create;
    }

    /// <summary>A duration, checked here so that a typo names its flag; it is sent as written.</summary>
    internal static string? Checked(string? text, string option) =>
        OptionValues.Duration(text, option) is null ? null : text;
}
