using System.Diagnostics;

namespace Aisbx.Cli.Tests;

/// <summary>The checkout's <c>./aisbx</c>: when it rebuilds, and <c>./aisbx install</c>.</summary>
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

    public void Dispose() => Directory.Delete(_root, recursive: true);

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

    private async Task<string> CheckAsync(string before)
    {
        var (_, stdout, stderr) = await BashAsync($"{before}source scripts/setup.sh && if aisbx_is_stale; then echo stale; else echo fresh; fi");
        return stdout.Trim() is { Length: > 0 } verdict ? verdict : stderr;
    }

    private async Task<(int ExitCode, string Stdout, string Stderr)> BashAsync(string script)
    {
        var info = new ProcessStartInfo("/bin/bash") { WorkingDirectory = _root, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(script);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, await stdout, await stderr);
    }
}
