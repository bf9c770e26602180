using System.CommandLine;
using System.Text.Json;
using Aisbx.Core.Profiles;
using Aisbx.Core.Runs;
using Aisbx.Core.Units;
using Aisbx.Sandbox.Rootfs;

namespace Aisbx.Cli.Commands.Builds;

/// <summary>
/// <c>aisbx build --profile NAME | --all [--force] [--prune] [--json]</c>: builds profiles' trees in this process
/// (<see cref="RootfsBuilder"/>), showing progress (<see cref="BuildView"/>), and ends each with one line:
/// <c>python-dev: built in 27.1 s, 175 MiB, 3f2a9c1e0b7d</c> or <c>python-dev: up to date (3f2a9c1e0b7d)</c>.
/// Exit codes: 0; 125 when a build failed or the command was refused (one line each); 130 after Ctrl-C, once the
/// engine has removed the partial tree.
/// </summary>
internal static class BuildCommand
{
    public const int Interrupted = 130;

    /// <summary>How long Ctrl-C waits for the engine to stop the builder and remove the partial tree before the process exits regardless.</summary>
    public static readonly TimeSpan CleanupGrace = TimeSpan.FromSeconds(60);

    public static Command Create(Option<string?> configOption)
    {
        var profile = new Option<string?>("--profile", "-p") { Description = "The profile to build", HelpName = "NAME" };
        var all = new Option<bool>("--all") { Description = "Build every profile that has a tree to build (those on the host's /usr are skipped)" };
        var force = new Option<bool>("--force") { Description = "Build anew even when a tree of the current inputs exists" };
        var prune = new Option<bool>("--prune") { Description = "Remove the trees no profile uses any more (alone, or after the builds)" };
        var json = new Option<bool>("--json") { Description = "Print one JSON document instead of progress and lines" };
        var build = new Command("build", "Build profiles' root filesystems (Debian packages with mmdebstrap, or images) into <config>/rootfs")
        {
            profile, all, force, prune, json,
        };
        build.SetAction(async (parseResult, cancellationToken) =>
        {
            var name = parseResult.GetValue(profile);
            var wantsAll = parseResult.GetValue(all);
            var pruning = parseResult.GetValue(prune);
            if (name is not null && wantsAll)
            {
                return AisbxCli.Fail("give --profile NAME or --all, not both (see 'aisbx build --help')");
            }

            if (name is null && !wantsAll && !pruning)
            {
                return AisbxCli.Fail("say what to build: --profile NAME, --all, or --prune alone to remove unused trees (see 'aisbx build --help')");
            }

            if (name is null && !wantsAll && parseResult.GetValue(force))
            {
                return AisbxCli.Fail("--force needs something to build: add --profile NAME or --all (see 'aisbx build --help')");
            }

            var config = CliConfig.Load(parseResult, configOption);
            var catalog = new ProfileCatalog(config.ProfilesDirectory);
            var targets = name is not null ? [catalog.Get(name)] : wantsAll ? catalog.All() : [];
            var builder = new RootfsBuilder(config);
            var run = new BuildRun(builder, BuildView.For(parseResult.GetValue(json)), parseResult.GetValue(force), explicitProfile: name is not null);
            var code = await run.BuildAsync(targets, cancellationToken);
            if (code == 0 && pruning)
            {
                run.Prune(catalog.All());
            }

            if (parseResult.GetValue(json))
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(run.Document, BuildJsonContext.Default.BuildDocument));
            }

            return code;
        });
        return build;
    }

    /// <summary>The process-termination wait for this command line: long enough for a build's clean-up, the usual for others.</summary>
    public static TimeSpan? TerminationTimeout(ParseResult parseResult) =>
        parseResult.CommandResult.Command.Name == "build" && parseResult.CommandResult.Parent?.Parent is null
            ? CleanupGrace
            : new System.CommandLine.InvocationConfiguration().ProcessTerminationTimeout;

    /// <summary>One invocation's builds, their lines, and the document <c>--json</c> prints.</summary>
    private sealed class BuildRun(RootfsBuilder builder, BuildView view, bool force, bool explicitProfile)
    {
        private readonly List<ProfileBuild> _builds = [];
        private PruneDocument? _pruned;
        private readonly bool _quiet = view is not BuildProgressLines and not BuildProgressBar;

        public BuildDocument Document => new(_builds, _pruned);

        public async Task<int> BuildAsync(IReadOnlyList<Profile> profiles, CancellationToken cancellationToken)
        {
            var failed = false;
            foreach (var profile in profiles)
            {
                if (!profile.Rootfs.IsBuilt && !explicitProfile)
                {
                    Say($"{profile.Name}: skipped: it runs on the host's /usr (rootfs = \"host\"), nothing to build");
                    continue;
                }

                try
                {
                    var outcome = await view.ShowAsync(profile.Name, progress => builder.BuildAsync(profile, force, progress, cancellationToken));
                    _builds.Add(ProfileBuild.Of(outcome));
                    Say(Result(profile.Name, outcome));
                    foreach (var note in outcome.Notes)
                    {
                        Say($"{profile.Name}: note: {note}");
                    }
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    _builds.Add(ProfileBuild.Failed(profile.Name, "interrupted", "interrupted"));
                    Console.Error.WriteLine($"aisbx: the build of {profile.Name} was interrupted; its partial tree was removed");
                    return Interrupted;
                }
                catch (BuildFailedException ex)
                {
                    failed = true;
                    _builds.Add(ProfileBuild.Failed(profile.Name, "failed", ex.Message));
                    Console.Error.WriteLine($"aisbx: {profile.Name}: {ex.Message}");
                }
            }

            return failed ? ExitCodes.OwnError : 0;
        }

        public void Prune(IReadOnlyList<Profile> profiles)
        {
            var report = builder.Prune(profiles);
            _pruned = new PruneDocument(report.Removed, report.BytesFreed);
            Say(report.Removed == 0
                ? "prune: no unused trees"
                : $"prune: removed {report.Removed} unused tree{(report.Removed == 1 ? "" : "s")}, {ByteCount.Human(report.BytesFreed)} freed");
        }

        private static string Result(string profile, BuildOutcome outcome) => outcome.Tree.State switch
        {
            TreeState.Host => $"{profile}: runs on the host's /usr (rootfs = \"host\"), nothing to build",
            _ when outcome.Cached => $"{profile}: up to date ({Short(outcome.Tree.Hash)})",
            _ => $"{profile}: built in {outcome.Took.TotalSeconds:0.0} s, {ByteCount.Human(outcome.Tree.SizeBytes ?? 0)}, {Short(outcome.Tree.Hash)}",
        };

        private static string Short(string hash) => hash.Length > 12 ? hash[..12] : hash;

        private void Say(string line)
        {
            if (!_quiet)
            {
                Console.Out.WriteLine(line);
            }
        }
    }
}
