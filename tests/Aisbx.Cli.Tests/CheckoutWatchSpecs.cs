using System.Diagnostics;
using Aisbx.Cli.Resident;

namespace Aisbx.Cli.Tests;

/// <summary>
/// The resident server's freshness answer for a checkout's aisbx-run: the whole check once, then again only after a
/// change that inotify reports. Each answer is compared with the whole check made afresh.
/// </summary>
public sealed class CheckoutWatchSpecs : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("aisbx-watch-").FullName;
    private int _step;

    /// <summary>A time after every one given before: each edit is newer than the build before it, each build newer than the edit.</summary>
    private DateTime Later() => DateTime.UtcNow.AddMinutes(10 * ++_step);

    [Fact]
    public async Task Its_answer_follows_every_change_a_rebuild_looks_at_and_a_new_build_makes_it_fresh_again()
    {
        // Arrange
        await FakeCheckoutAsync(_root);
        using var watch = new CheckoutWatch();
        var answers = new List<(string Step, bool Watched, bool Whole)>();
        void Answer(string step) => answers.Add((step, watch.IsStale(_root), CheckoutFreshness.IsStale(_root)));

        // Act: each change, then a build that lists the sources again.
        Answer("built");
        Answer("asked again");
        File.SetLastWriteTimeUtc(Path.Combine(_root, "src", "Aisbx.Core", "Thing.cs"), Later());
        Answer("a source edited");
        await RebuildAsync(_root, Later());
        Answer("rebuilt");
        Directory.CreateDirectory(Path.Combine(_root, "src", "Aisbx.Core", "Added"));
        Answer("a directory added");
        await RebuildAsync(_root, Later());
        Answer("rebuilt with it");
        File.WriteAllText(Path.Combine(_root, "src", "Aisbx.Core", "Added", "New.cs"), "");
        Answer("a file in the new directory");
        File.SetLastWriteTimeUtc(Path.Combine(_root, "global.json"), Later());
        await RebuildAsync(_root, Later());
        Answer("rebuilt again");
        File.SetLastWriteTimeUtc(Path.Combine(_root, "global.json"), Later());
        Answer("a root file edited");

        // Assert
        Assert.Equal(
            [
                ("built", false, false), ("asked again", false, false), ("a source edited", true, true), ("rebuilt", false, false),
                ("a directory added", true, true), ("rebuilt with it", false, false), ("a file in the new directory", true, true),
                ("rebuilt again", false, false), ("a root file edited", true, true),
            ],
            answers);
    }

    [Fact]
    public void A_path_that_is_not_a_checkout_is_never_fresh()
    {
        using var watch = new CheckoutWatch();

        Assert.True(watch.IsStale("relative/checkout"));
        Assert.True(watch.IsStale(_root)); // no build in it
    }

    /// <summary>A checkout with fake binaries and one source, listed as a build lists them (scripts/setup.sh).</summary>
    internal static async Task FakeCheckoutAsync(string root)
    {
        Directory.CreateDirectory(Path.Combine(root, "scripts"));
        File.Copy(Path.Combine(AisbxBinary.RepositoryRoot(), "scripts", "setup.sh"), Path.Combine(root, "scripts", "setup.sh"));
        await BashAsync(root,
            "mkdir -p src/Aisbx.Core .build/aisbx && touch src/Aisbx.Core/Thing.cs Directory.Build.props Directory.Packages.props global.json && " +
            "for b in aisbx aisbx-launch aisbx-mcp; do printf '#!/bin/sh\\n' > .build/aisbx/$b; chmod +x .build/aisbx/$b; done");
        await RebuildAsync(root, DateTime.UtcNow.AddMinutes(5));
    }

    /// <summary>What a build leaves: binaries newer than every source, then the listing.</summary>
    private static Task RebuildAsync(string root, DateTime built) =>
        BashAsync(root, $"sleep 0.01 && touch -d @{new DateTimeOffset(built).ToUnixTimeSeconds()} .build/aisbx/aisbx && source scripts/setup.sh && aisbx_list_sources");

    private static async Task BashAsync(string root, string script)
    {
        var info = new ProcessStartInfo("/bin/bash") { WorkingDirectory = root, RedirectStandardError = true };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(script);
        using var process = Process.Start(info)!;
        var stderr = await process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.True(process.ExitCode == 0, stderr);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
