using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Aisbx.Tests.Shared;

namespace Aisbx.Cli.Tests;

/// <summary>
/// <c>aisbx build</c> as a script runs it (stdout not a terminal), with real mmdebstrap builds into a store of each
/// spec's own (the suite's apt cache shared, so nothing is downloaded twice).
/// </summary>
public partial class BuildCommandSpecs(AisbxBinary aisbx) : IClassFixture<AisbxBinary>
{
    private const string Tiny = "extends = \"minimal\"\ndescription = \"Debian's essential set\"\n[rootfs]\npackages = []\n";

    [Fact]
    public async Task Off_a_terminal_a_build_prints_plain_lines_and_one_result_line_a_second_is_up_to_date_and_prune_removes_what_no_profile_uses()
    {
        // Arrange
        var config = NewConfig();

        // Act
        var built = await BuildAsync(config, "--profile", "tiny");
        var again = await BuildAsync(config, "--profile", "tiny");
        var json = await BuildAsync(config, "--profile", "tiny", "--json");
        File.WriteAllText(Path.Combine(config, "profiles", "tiny.toml"), "extends = \"minimal\"\ndescription = \"now on the host\"\nrootfs = \"host\"\n");
        var pruned = await BuildAsync(config, "--prune");
        var prunedAgain = await BuildAsync(config, "--prune");

        // Assert
        Assert.True(built.ExitCode == 0, built.Stderr);
        Assert.DoesNotContain('\u001b', built.Stdout);
        var lines = built.Stdout.TrimEnd('\n').Split('\n');
        Assert.All(lines, line => Assert.StartsWith("tiny: ", line, StringComparison.Ordinal));
        Assert.Contains(lines, line => line.StartsWith("tiny: downloading", StringComparison.Ordinal));
        Assert.True(lines.Count(l => l.StartsWith("tiny: installing essential packages ", StringComparison.Ordinal) && l.Contains(" packages", StringComparison.Ordinal)) >= 3, built.Stdout);
        var result = Assert.Single(lines, l => l.StartsWith("tiny: built in ", StringComparison.Ordinal));
        var match = BuiltLine().Match(result);
        Assert.True(match.Success, result);
        var hash = match.Groups[1].Value;

        Assert.Equal((0, $"tiny: up to date ({hash})\n", ""), again);

        Assert.Equal(0, json.ExitCode);
        var document = JsonDocument.Parse(json.Stdout).RootElement.GetProperty("builds")[0];
        Assert.True(document.GetProperty("cached").GetBoolean());
        Assert.Equal("built", document.GetProperty("state").GetString());
        Assert.StartsWith(hash, document.GetProperty("hash").GetString(), StringComparison.Ordinal);

        Assert.Equal(0, pruned.ExitCode);
        Assert.Matches(@"^prune: removed 1 unused tree, [\d.]+ MiB freed\n$", pruned.Stdout);
        Assert.Empty(Trees(config));
        Assert.Equal((0, "prune: no unused trees\n"), (prunedAgain.ExitCode, prunedAgain.Stdout));
    }

    [Fact]
    public async Task Ctrl_C_in_the_middle_of_a_build_exits_130_with_one_line_and_leaves_no_partial_tree()
    {
        // Arrange
        var config = NewConfig();
        // As from a terminal: a job started in the background (CI, 'cmd &') inherits SIGINT ignored, and .NET keeps an
        // inherited ignore (the build would then run to its end). env resets it to the default first.
        var info = new ProcessStartInfo("/usr/bin/env") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in (string[])["--default-signal=INT", aisbx.Path, "--config", config, "build", "--profile", "tiny"])
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        process.StandardInput.Close();
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        while (await process.StandardOutput.ReadLineAsync(TestContext.Current.CancellationToken) is { } line && !line.StartsWith("tiny: downloading", StringComparison.Ordinal))
        {
        }

        Assert.Single(Trees(config), t => t.StartsWith(".staging-", StringComparison.Ordinal));

        // Act (env exec'd aisbx: the same pid)
        Assert.Equal(0, SendSignal(process.Id, 2));

        await process.WaitForExitAsync(TestContext.Current.CancellationToken);

        // Assert
        Assert.Equal(130, process.ExitCode);
        Assert.Equal("aisbx: the build of tiny was interrupted; its partial tree was removed\n", await stderr);
        Assert.Empty(Trees(config));
        Assert.Equal(0, HostCommands.ProcessesNaming(Path.Combine(config, "store")));
    }

    [Fact]
    public async Task A_build_that_fails_exits_125_with_one_line_that_says_why()
    {
        // Arrange
        var config = NewConfig();

        // Act
        var (exitCode, _, stderr) = await BuildAsync(config, "--profile", "broken");

        // Assert
        Assert.Equal(125, exitCode);
        Assert.StartsWith("aisbx: broken: mmdebstrap failed (", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
        Assert.Empty(Trees(config));
    }

    [Theory]
    [InlineData(new string[0], "aisbx: say what to build: --profile NAME, --all, or --prune alone to remove unused trees (see 'aisbx build --help')")]
    [InlineData(new[] { "--profile", "tiny", "--all" }, "aisbx: give --profile NAME or --all, not both (see 'aisbx build --help')")]
    [InlineData(new[] { "--prune", "--force" }, "aisbx: --force needs something to build: add --profile NAME or --all (see 'aisbx build --help')")]
    [InlineData(new[] { "--profile", "no-such" }, "aisbx: refused (profile-unknown): ")]
    public async Task A_build_command_that_cannot_be_carried_out_exits_125_with_one_line(string[] args, string line)
    {
        // Arrange
        var config = NewConfig();

        // Act
        var (exitCode, stdout, stderr) = await BuildAsync(config, args);

        // Assert
        Assert.Equal((125, ""), (exitCode, stdout));
        Assert.StartsWith(line, stderr, StringComparison.Ordinal);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public async Task A_profile_on_the_host_s_usr_has_nothing_to_build()
    {
        // Arrange
        var config = NewConfig();

        // Act
        var (exitCode, stdout, stderr) = await BuildAsync(config, "--profile", "on-host");

        // Assert
        Assert.Equal((0, "on-host: runs on the host's /usr (rootfs = \"host\"), nothing to build\n", ""), (exitCode, stdout, stderr));
        Assert.Empty(Trees(config));
    }

    /// <summary>A config directory with a store of its own, the suite's apt cache, and the specs' profiles.</summary>
    private string NewConfig()
    {
        var config = Path.Combine(aisbx.Root, "build-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Path.Combine(config, "profiles"));
        File.WriteAllText(Path.Combine(config, "config.toml"), $"[rootfs]\nstore = \"{Path.Combine(config, "store")}\"\ncache = \"{TestTrees.Cache}\"\n");
        File.WriteAllText(Path.Combine(config, "profiles", "tiny.toml"), Tiny);
        File.WriteAllText(Path.Combine(config, "profiles", "broken.toml"), "extends = \"minimal\"\ndescription = \"no such package\"\n[rootfs]\npackages = [\"aisbx-no-such-package\"]\n");
        File.WriteAllText(Path.Combine(config, "profiles", "on-host.toml"), "extends = \"minimal\"\ndescription = \"the host's /usr\"\nrootfs = \"host\"\n");
        return config;
    }

    private Task<(int ExitCode, string Stdout, string Stderr)> BuildAsync(string config, params string[] args) =>
        aisbx.RunAsync(["--config", config, "build", .. args]);

    /// <summary>Trees (by hash) and staging directories of builds in the config's store.</summary>
    private static string[] Trees(string config)
    {
        var store = Path.Combine(config, "store");
        return Directory.Exists(store)
            ? [.. Directory.GetDirectories(store).Select(Path.GetFileName).Where(n => n!.StartsWith(".staging-", StringComparison.Ordinal) || n.Length == 64).Order()!]
            : [];
    }


    [GeneratedRegex(@"^tiny: built in \d+\.\d s, [\d.]+ MiB, ([0-9a-f]{12})$")]
    private static partial Regex BuiltLine();

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill")]
    private static extern int SendSignal(int pid, int signal);
}
