using System.Text;
using Aisbx.Core.Policy;
using Aisbx.Sandbox.Live;
using static Aisbx.Sandbox.Tests.Live.LiveSandboxStateTests;

namespace Aisbx.Sandbox.Tests.Live;

/// <summary>
/// Files in and out of a live sandbox: binary-safe, bounded, only under /workspace and /tmp, and never through a
/// symlink, so that a link a program plants toward a host file cannot make aisbx read or write it.
/// </summary>
[Collection(nameof(RealSandboxes))]
public class LiveFileTests(SandboxFixture sandbox)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_byte_value_goes_in_and_comes_out_unchanged()
    {
        // Arrange
        using var live = await sandbox.Runner.StartLiveAsync(new LiveSandboxRequest { Caller = "test" }, null, Cancel);
        var bytes = Enumerable.Range(0, 256 * 40).Select(i => (byte)(i * 7)).ToArray();

        // Act
        await live.WriteFileAsync("deep/er/blob.bin", bytes, 0x1ED, Cancel); // 0755
        var back = await live.ReadFileAsync("/workspace/deep/er/blob.bin", 1 << 20, Cancel);
        var inside = await live.ExecAsync(Sh("stat -c '%s %a' deep/er/blob.bin"), Cancel);

        // Assert
        Assert.Equal(bytes, back);
        Assert.Equal($"{bytes.Length} 755\n", inside.Stdout);
    }

    [Fact]
    public async Task A_directory_lists_its_entries_with_type_and_size()
    {
        // Arrange
        using var live = await sandbox.Runner.StartLiveAsync(new LiveSandboxRequest { Caller = "test" }, null, Cancel);
        await live.ExecAsync(Sh("mkdir d; printf 12345 > d/five; ln -s five d/link; mkdir d/sub"), Cancel);

        // Act
        var listing = await live.ListAsync("d", Cancel);

        // Assert
        Assert.Equal(["five", "link", "sub"], listing.Entries.Select(e => e.Name));
        Assert.Equal(["file", "symlink", "directory"], listing.Entries.Select(e => e.Type));
        Assert.Equal(5, listing.Entries[0].Size);
        Assert.InRange(listing.Entries[0].Mtime, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(5));
    }

    [Fact]
    public async Task A_file_a_program_dated_beyond_the_year_9999_lists_at_the_calendar_s_edges_and_the_sandbox_lives_on()
    {
        // Arrange
        using var live = await sandbox.Runner.StartLiveAsync(new LiveSandboxRequest { Caller = "test" }, null, Cancel);
        await live.ExecAsync(Sh("mkdir d; touch -d @300000000000 d/future; touch -d @-70000000000 d/past"), Cancel);

        // Act
        var listing = await live.ListAsync("d", Cancel);
        var after = await live.ExecAsync(Sh("echo alive"), Cancel);

        // Assert
        Assert.Equal([("future", DateTimeOffset.MaxValue.ToUnixTimeMilliseconds()), ("past", DateTimeOffset.MinValue.ToUnixTimeMilliseconds())],
            listing.Entries.Select(e => (e.Name, e.Mtime.ToUnixTimeMilliseconds())));
        Assert.Equal("alive\n", after.Stdout);
    }

    [Fact]
    public async Task Files_in_tmp_are_reachable_and_removal_takes_a_whole_directory()
    {
        // Arrange
        using var live = await sandbox.Runner.StartLiveAsync(new LiveSandboxRequest { Caller = "test" }, null, Cancel);
        await live.WriteFileAsync("/tmp/scratch/a/b.txt", "b"u8.ToArray(), 0x1A4, Cancel);

        // Act
        await live.RemoveAsync("/tmp/scratch", Cancel);
        var gone = await live.ExecAsync(Sh("test -e /tmp/scratch && echo still || echo gone"), Cancel);

        // Assert
        Assert.Equal("gone\n", gone.Stdout);
    }

    [Theory]
    [InlineData("../etc/passwd", "path-invalid")]
    [InlineData("/workspace/../etc/passwd", "path-invalid")]
    [InlineData("/etc/passwd", "path-outside")]
    [InlineData("/proc/self/environ", "path-outside")]
    [InlineData("a//b", "path-invalid")]
    public async Task Paths_outside_the_sandbox_s_files_are_refused_by_rule(string path, string rule)
    {
        // Arrange
        using var live = await sandbox.Runner.StartLiveAsync(new LiveSandboxRequest { Caller = "test" }, null, Cancel);

        // Act
        var refusal = await Assert.ThrowsAsync<PolicyRefusal>(() => live.ReadFileAsync(path, 1024, Cancel));

        // Assert
        Assert.Equal(rule, refusal.Rule);
    }

    [Fact]
    public async Task A_symlink_planted_toward_a_host_file_is_never_followed_by_a_read_or_a_write()
    {
        // Arrange: links to /etc/shadow and to aisbx's own config directory, made by a program inside.
        using var live = await sandbox.Runner.StartLiveAsync(new LiveSandboxRequest { Caller = "test" }, null, Cancel);
        var secret = Path.Combine(sandbox.ConfigDirectory, "secret.txt");
        var planted = await live.ExecAsync(Sh(SandboxFixture.InsideGuard +
            $"ln -s /etc/shadow shadow; ln -s {sandbox.ConfigDirectory} config; ln -s /etc etc; echo planted"), Cancel);

        // Act
        var readShadow = await Assert.ThrowsAsync<SandboxFileException>(() => live.ReadFileAsync("shadow", 1 << 20, Cancel));
        var readSecret = await Assert.ThrowsAsync<SandboxFileException>(() => live.ReadFileAsync("config/secret.txt", 1 << 20, Cancel));
        var writeSecret = await Assert.ThrowsAsync<SandboxFileException>(() => live.WriteFileAsync("config/secret.txt", "owned"u8.ToArray(), 0x1A4, Cancel));
        var writeThrough = await Assert.ThrowsAsync<SandboxFileException>(() => live.WriteFileAsync("etc/cron.d/x", "owned"u8.ToArray(), 0x1A4, Cancel));
        var overwriteLink = await Assert.ThrowsAsync<SandboxFileException>(() => live.WriteFileAsync("shadow", "owned"u8.ToArray(), 0x1A4, Cancel));

        // Assert
        Assert.Equal("planted\n", planted.Stdout);
        Assert.All([readShadow, readSecret, writeSecret, writeThrough, overwriteLink], e => Assert.Equal("path-symlink", e.Rule));
        Assert.Equal("TOP-SECRET-CONFIG", await File.ReadAllTextAsync(secret, Cancel));
        Assert.False(File.Exists("/etc/cron.d/x"));
    }

    [Fact]
    public async Task A_read_larger_than_its_cap_is_refused_with_the_fix()
    {
        // Arrange
        using var live = await sandbox.Runner.StartLiveAsync(new LiveSandboxRequest { Caller = "test" }, null, Cancel);
        await live.ExecAsync(Sh("head -c 5000 /dev/zero > big"), Cancel);

        // Act
        var refusal = await Assert.ThrowsAsync<SandboxFileException>(() => live.ReadFileAsync("big", 4096, Cancel));

        // Assert
        Assert.Equal("file-too-large", refusal.Rule);
        Assert.Contains("head -c", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_fifo_is_neither_read_nor_written()
    {
        // Arrange
        using var live = await sandbox.Runner.StartLiveAsync(new LiveSandboxRequest { Caller = "test" }, null, Cancel);
        await live.ExecAsync(Sh("mkfifo pipe"), Cancel);

        // Act
        var read = await Assert.ThrowsAsync<SandboxFileException>(() => live.ReadFileAsync("pipe", 4096, Cancel));
        var write = await Assert.ThrowsAsync<SandboxFileException>(() => live.WriteFileAsync("pipe", "x"u8.ToArray(), 0x1A4, Cancel));

        // Assert
        Assert.Equal("not-regular-file", read.Rule);
        Assert.Contains(write.Rule, new[] { "not-regular-file", "file-error" });
    }

    [Fact]
    public async Task The_workspace_holds_no_more_than_its_cap_and_an_exec_that_fills_it_is_told()
    {
        // Arrange
        var runner = LiveRunners.With(sandbox, s => s with { WorkspaceBytes = 1L << 20 });
        using var live = await runner.StartLiveAsync(new LiveSandboxRequest { Caller = "test" }, null, Cancel);

        // Act
        var filling = await live.ExecAsync(Sh("head -c 3000000 /dev/zero > fill; echo $?"), Cancel);
        var tooBig = await Assert.ThrowsAsync<SandboxFileException>(() => live.WriteFileAsync("more", new byte[512 * 1024], 0x1A4, Cancel));

        // Assert
        Assert.Contains("No space left", filling.Stderr, StringComparison.Ordinal);
        Assert.Contains(filling.LimitHits, h => h.Limit == "workspace" && h.Value == 1L << 20);
        Assert.Equal("workspace-full", tooBig.Rule);
    }
}
