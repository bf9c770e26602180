using System.Diagnostics;

namespace Aisbx.Cli.Tests;

/// <summary>
/// The checkout's <c>./aisbx</c>: when it rebuilds (the bash check of <c>scripts/setup.sh</c> and the binary's own
/// native one must agree), the hand-off from a stale binary to the rebuild, and <c>./aisbx install</c>.
/// </summary>
public sealed class WrapperSpecs : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("aisbx-wrapper-").FullName;

    [Theory]
    [InlineData("touch -d '+1 minute' src/Aisbx.Core/Thing.cs")]
    [InlineData("echo '// edited' >> src/Aisbx.Core/Thing.cs && touch -d '+1 minute' src/Aisbx.Core/Thing.cs")]
    [InlineData("sleep 0.05 && touch src/Aisbx.Core/New.cs")]
    [InlineData("sleep 0.05 && rm src/Aisbx.Core/Thing.cs")]
    [InlineData("sleep 0.05 && mkdir src/Aisbx.Core/Deeper")]
    [InlineData("touch -d '+1 minute' Directory.Packages.props")]
    public async Task A_change_to_the_sources_makes_the_build_stale(string change)
    {
        // Arrange: a checkout of its own with fake binaries, listed as a build lists them.
        await FakeCheckoutAsync();
        Assert.Equal("fresh", await CheckAsync(""));

        // Act
        var verdict = await CheckAsync(change + " && ");

        // Assert
        Assert.Equal("stale", verdict);
    }

    [Fact]
    public async Task What_builds_write_under_bin_and_obj_never_makes_the_build_stale()
    {
        await FakeCheckoutAsync();

        var verdict = await CheckAsync("sleep 0.05 && mkdir -p src/Aisbx.Core/obj/Debug src/Aisbx.Core/bin/Debug && touch -d '+1 minute' src/Aisbx.Core/obj/x.cs src/Aisbx.Core/bin/y.json && ");

        Assert.Equal("fresh", verdict);
    }

    [Fact]
    public async Task A_fresh_binary_runs_at_once_and_a_stale_one_hands_the_run_to_the_rebuild()
    {
        // Arrange: the real ./aisbx and binary in a checkout of their own, whose rebuild script only says how it was called.
        await FakeCheckoutAsync();
        File.Copy(Path.Combine(AisbxBinary.RepositoryRoot(), "aisbx"), Path.Combine(_root, "aisbx"));
        using var binary = new AisbxBinary();
        File.Copy(binary.Path, Path.Combine(_root, ".build", "aisbx", "aisbx"), overwrite: true);
        File.Copy(binary.RunFrontPath, Path.Combine(_root, ".build", "aisbx", "aisbx-run"), overwrite: true);
        await File.WriteAllTextAsync(Path.Combine(_root, "scripts", "checkout-run.sh"), "echo \"rebuild: $*\"\n", TestContext.Current.CancellationToken);
        var (listed, _, listLog) = await BashAsync("touch .build/aisbx/aisbx && source scripts/setup.sh && aisbx_list_sources");
        Assert.True(listed == 0, listLog);

        // Act
        var fresh = await BashAsync("./aisbx --help");
        var stale = await BashAsync("touch -d '+1 minute' src/Aisbx.Core/Thing.cs && ./aisbx run -- echo 'two words'");

        // Assert
        Assert.True(fresh.ExitCode == 0, fresh.Stderr);
        Assert.Contains("Usage:", fresh.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("rebuild", fresh.Stdout, StringComparison.Ordinal);
        // (a run goes to aisbx-run, which checks nothing itself: with no server to vouch for the checkout, it hands
        // the run to aisbx, which checks)
        Assert.Equal((0, "rebuild: run -- echo two words\n"), (stale.ExitCode, stale.Stdout));
    }

    [Fact]
    public async Task The_checkout_s_aisbx_sends_runs_to_aisbx_run_and_the_rest_to_aisbx()
    {
        // Arrange: binaries that only say which one was started, and with what.
        await FakeCheckoutAsync();
        File.Copy(Path.Combine(AisbxBinary.RepositoryRoot(), "aisbx"), Path.Combine(_root, "aisbx"));
        foreach (var name in (string[])["aisbx", "aisbx-run"])
        {
            var path = Path.Combine(_root, ".build", "aisbx", name);
            await File.WriteAllTextAsync(path, $"#!/bin/sh\necho \"{name}: $*\"\n", TestContext.Current.CancellationToken);
            File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
        }

        // Act
        var (exitCode, stdout, stderr) = await BashAsync(
            "./aisbx run -- true; ./aisbx --config /c run -p x -- true; ./aisbx --config=/c run; ./aisbx profile list; ./aisbx --config /c profile run; ./aisbx --config run");

        // Assert
        Assert.True(exitCode == 0, stderr);
        Assert.Equal("""
            aisbx-run: run -- true
            aisbx-run: --config /c run -p x -- true
            aisbx-run: --config=/c run
            aisbx: profile list
            aisbx: --config /c profile run
            aisbx: --config run

            """, stdout);
    }

    [Fact]
    public async Task Install_puts_working_commands_on_a_prefix()
    {
        // Act: the real checkout's ./aisbx, built by ./test.sh.
        var prefix = Path.Combine(_root, "prefix");
        var (installed, _, installLog) = await BashAsync($"'{AisbxBinary.RepositoryRoot()}/aisbx' install --prefix '{prefix}'");
        var (ran, stdout, stderr) = await BashAsync($"'{prefix}/bin/aisbx' run -- echo from-the-installed-copy");
        var (served, help, _) = await BashAsync($"'{prefix}/bin/aisbx-mcp' --help");

        // Assert
        Assert.True(installed == 0, installLog);
        Assert.True(ran == 0, stderr);
        Assert.Equal("from-the-installed-copy\n", stdout);
        Assert.Equal(0, served);
        Assert.Contains("aisbx-mcp", help, StringComparison.Ordinal);
    }

    private string ConfigDirectory => _root + "-config";

    public void Dispose()
    {
        Directory.Delete(_root, recursive: true);
        if (Directory.Exists(ConfigDirectory))
        {
            Directory.Delete(ConfigDirectory, recursive: true);
        }
    }

    private async Task FakeCheckoutAsync()
    {
        Directory.CreateDirectory(Path.Combine(_root, "scripts"));
        File.Copy(Path.Combine(AisbxBinary.RepositoryRoot(), "scripts", "setup.sh"), Path.Combine(_root, "scripts", "setup.sh"));
        var (exitCode, _, stderr) = await BashAsync(
            "mkdir -p src/Aisbx.Core/obj src/Aisbx.Core/bin .build/aisbx && touch src/Aisbx.Core/Thing.cs Directory.Build.props Directory.Packages.props global.json && " +
            "for b in aisbx aisbx-launch aisbx-mcp; do printf '#!/bin/sh\\n' > .build/aisbx/$b; chmod +x .build/aisbx/$b; done && " +
            "source scripts/setup.sh && aisbx_list_sources");
        Assert.True(exitCode == 0, stderr);
    }

    /// <summary>The bash check's verdict, after asserting that the binary's native check gives the same one.</summary>
    private async Task<string> CheckAsync(string before)
    {
        var (_, stdout, stderr) = await BashAsync($"{before}source scripts/setup.sh && if aisbx_is_stale; then echo stale; else echo fresh; fi");
        var verdict = stdout.Trim() is { Length: > 0 } text ? text : stderr;
        Assert.Equal(verdict, CheckoutFreshness.IsStale(_root) ? "stale" : "fresh");
        return verdict;
    }

    private async Task<(int ExitCode, string Stdout, string Stderr)> BashAsync(string script)
    {
        var info = new ProcessStartInfo("/bin/bash") { WorkingDirectory = _root, RedirectStandardOutput = true, RedirectStandardError = true };
        // A config of the test's own, not the user's ~/.aisbx (its audit log, its resident server); beside the
        // checkout, whose directories' times the freshness check reads.
        Directory.CreateDirectory(ConfigDirectory);
        File.WriteAllText(Path.Combine(ConfigDirectory, "config.toml"), "[pool]\nresident = false\n");
        info.Environment["AISBX_HOME"] = ConfigDirectory;
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(script);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, await stdout, await stderr);
    }
}
