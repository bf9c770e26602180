using System.CommandLine;
using System.Text.Json;
using Aisbx.Core.Profiles;

namespace Aisbx.Cli.Commands;

/// <summary><c>aisbx profile list [--json]</c> and <c>aisbx profile show NAME [--json]</c>.</summary>
internal static class ProfileCommands
{
    public static Command Create(Option<string?> configOption)
    {
        var listJson = new Option<bool>("--json") { Description = "Print JSON" };
        var listMarkdown = new Option<bool>("--markdown") { Description = "Print each profile's policy as a Markdown table (docs/profile-policies.md is this output)" };
        var list = new Command("list", "List the profiles: built-in and your own") { listJson, listMarkdown };
        list.SetAction(parseResult =>
        {
            var runner = CliConfig.Runner(parseResult, configOption);
            var documents = runner.Profiles.All().Select(p => ProfileDocument.From(p, runner.MissingTools(p), runner.Trees.Status(p))).ToList();
            if (parseResult.GetValue(listJson))
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(documents, CliJsonContext.Default.ListProfileDocument));
                return 0;
            }

            if (parseResult.GetValue(listMarkdown))
            {
                Console.Out.Write(PolicyTable.Render(runner.Profiles.All()));
                return 0;
            }

            var width = documents.Max(d => d.Name.Length);
            var states = documents.Select(d => EnvironmentCell(d.Environment)).ToList();
            var stateWidth = states.Max(s => s.Length);
            for (var i = 0; i < documents.Count; i++)
            {
                var d = documents[i];
                var tools = d.ToolchainPresent || d.Environment.State is "missing" or "stale" ? "" : $"  [missing: {string.Join(", ", d.MissingTools)}]";
                Console.Out.WriteLine($"{d.Name.PadRight(width)}  {states[i].PadRight(stateWidth)}  {d.Description}{tools}");
            }

            return 0;
        });

        var name = new Argument<string>("name") { Description = "Profile name" };
        var showJson = new Option<bool>("--json") { Description = "Print JSON" };
        var show = new Command("show", "Show one profile in full") { name, showJson };
        show.SetAction(parseResult =>
        {
            var runner = CliConfig.Runner(parseResult, configOption);
            var profile = runner.Profiles.Get(parseResult.GetValue(name)!);
            var document = ProfileDocument.From(profile, runner.MissingTools(profile), runner.Trees.Status(profile));
            Console.Out.WriteLine(parseResult.GetValue(showJson)
                ? JsonSerializer.Serialize(document, CliJsonContext.Default.ProfileDocument)
                : Describe(profile, document));
            return 0;
        });

        return new Command("profile", "List and inspect profiles") { list, show };
    }

    /// <summary><c>built 175 MiB 3f2a9c1e0b7d</c>, <c>missing</c>, <c>stale</c>, <c>host</c>: the fix is in <c>profile show</c> and <c>doctor</c>.</summary>
    private static string EnvironmentCell(EnvironmentDocument environment) => environment.State switch
    {
        "built" => $"built {Core.Units.ByteCount.Human(environment.SizeBytes ?? 0)} {environment.Hash![..12]}",
        var state => state,
    };

    private static string Hosts(IReadOnlyList<string> hosts) => hosts.Count == 0 ? "(none)" : string.Join(", ", hosts);

    private static string Describe(Profile profile, ProfileDocument document)
    {
        var l = document.Limits;
        var lines = new List<string>
        {
            $"{profile.Name}: {profile.Description}",
            $"  origin:      {profile.Origin}",
            $"  rootfs:      {profile.Rootfs.Describe()}",
            $"  environment: {document.Environment.Summary}",
            $"  network:     {document.Network} (allowed: {string.Join(", ", document.AllowedNetworks)})",
            $"  egress:      allow {Hosts(document.Egress.Allow)}; deny {Hosts(document.Egress.Deny)}; at most {document.Egress.MaxConnections} connections, {Core.Units.ByteSize.Format(document.Egress.MaxBytes)}",
            $"  toolchain:   {string.Join(", ", profile.Toolchain)}{(document.ToolchainPresent ? "" : $" (missing: {string.Join(", ", document.MissingTools)})")}",
            $"  limits:      wall {l.WallTime}, cpu {l.CpuTime}, memory {l.Memory}, pids {l.Pids}, file size {l.FileSize}, open files {l.OpenFiles}, /tmp {l.TmpSize}, output {l.Output}",
            $"  denied:      {(profile.DeniedCommands.IsEmpty ? "(none)" : string.Join(", ", profile.DeniedCommands))}",
            "  env:",
        };
        lines.AddRange(profile.Env.Select(e => $"    {e.Key}={e.Value}"));
        lines.Add("  mounts (read-only):");
        lines.AddRange(profile.Mounts.Select(m => $"    {m.Source} -> {m.Target}{(m.Optional ? " (optional)" : "")}"));
        return string.Join('\n', lines);
    }
}
