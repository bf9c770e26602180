using System.Formats.Tar;
using System.IO.Compression;
using Aisbx.Sandbox.Rootfs;
using static Aisbx.Sandbox.Tests.Rootfs.Images.ImportScratch;

namespace Aisbx.Sandbox.Tests.Rootfs.Images;

/// <summary>
/// Untrusted tarballs: each hostile entry is refused or neutralised, the message says which, and nothing appears
/// outside the tree (the canary directory the archives aim at is writable by the build uid, so only the rules stop them).
/// </summary>
public class HostileTarballTests
{
    [Fact]
    public async Task An_entry_with_dot_dot_is_refused_and_writes_nothing_outside()
    {
        // Arrange
        using var scratch = new ImportScratch();
        var tarball = scratch.Tarball("evil.tar", writer => AddFile(writer, "../../canary/escaped", "pwned"));

        // Act
        var refusal = await Assert.ThrowsAsync<BuildFailedException>(() => scratch.ImportAsync(tarball));

        // Assert
        Assert.Contains("entry '../../canary/escaped' has a '..' component: refused", refusal.Message, StringComparison.Ordinal);
        Assert.False(Exists(Path.Combine(scratch.Canary, "escaped")));
    }

    [Fact]
    public async Task An_absolute_entry_is_refused_and_writes_nothing_outside()
    {
        // Arrange
        using var scratch = new ImportScratch();
        var target = Path.Combine(scratch.Canary, "absolute");
        var tarball = scratch.Tarball("evil.tar", writer => AddFile(writer, target, "pwned"));

        // Act
        var refusal = await Assert.ThrowsAsync<BuildFailedException>(() => scratch.ImportAsync(tarball));

        // Assert
        Assert.Contains("has an absolute name: refused", refusal.Message, StringComparison.Ordinal);
        Assert.False(Exists(target));
    }

    [Fact]
    public async Task A_symlink_that_climbs_out_of_the_tree_is_refused()
    {
        // Arrange
        using var scratch = new ImportScratch();
        var tarball = scratch.Tarball("evil.tar", writer => AddEntry(writer, TarEntryType.SymbolicLink, "usr/escape", "../../../canary"));

        // Act
        var refusal = await Assert.ThrowsAsync<BuildFailedException>(() => scratch.ImportAsync(tarball));

        // Assert
        Assert.Contains("symlink 'usr/escape' points out of the tree ('../../../canary'): refused", refusal.Message, StringComparison.Ordinal);
        Assert.False(Exists(Path.Combine(scratch.Tree, "usr", "escape")));
    }

    [Fact]
    public async Task Writing_through_an_earlier_symlink_is_refused_and_the_link_target_is_untouched()
    {
        // Arrange: an absolute link is allowed (it resolves inside the tree in the sandbox), but never written through.
        using var scratch = new ImportScratch();
        var tarball = scratch.Tarball("evil.tar", writer =>
        {
            AddEntry(writer, TarEntryType.SymbolicLink, "a", scratch.Canary);
            AddFile(writer, "a/planted", "pwned");
        });

        // Act
        var refusal = await Assert.ThrowsAsync<BuildFailedException>(() => scratch.ImportAsync(tarball));

        // Assert
        Assert.Contains("entry 'a/planted' goes through 'a', which is a symlink or not a directory: refused", refusal.Message, StringComparison.Ordinal);
        Assert.False(Exists(Path.Combine(scratch.Canary, "planted")));
    }

    [Fact]
    public async Task A_file_over_an_earlier_symlink_replaces_the_link_and_leaves_its_target_alone()
    {
        // Arrange
        using var scratch = new ImportScratch();
        var target = Path.Combine(scratch.Canary, "victim");
        await File.WriteAllTextAsync(target, "original", TestContext.Current.CancellationToken);
        ImportScratch.Run("chown", $"{BuildUid}:{BuildUid}", target);
        var tarball = scratch.Tarball("evil.tar", writer =>
        {
            AddEntry(writer, TarEntryType.SymbolicLink, "victim", target);
            AddFile(writer, "victim", "pwned");
        });

        // Act
        await scratch.ImportAsync(tarball);

        // Assert
        Assert.Equal("original", File.ReadAllText(target));
        Assert.True(Status(Path.Combine(scratch.Tree, "victim"))!.Value.IsRegularFile);
        Assert.Equal("pwned", File.ReadAllText(Path.Combine(scratch.Tree, "victim")));
    }

    [Fact]
    public async Task A_hard_link_to_a_file_outside_the_tree_is_refused()
    {
        // Arrange: a file the build uid owns, so that the kernel's protected_hardlinks would not stop the link.
        using var scratch = new ImportScratch();
        var outside = Path.Combine(scratch.Canary, "secret");
        await File.WriteAllTextAsync(outside, "outside", TestContext.Current.CancellationToken);
        ImportScratch.Run("chown", $"{BuildUid}:{BuildUid}", outside);
        var tarball = scratch.Tarball("evil.tar", writer => AddEntry(writer, TarEntryType.HardLink, "stolen", outside));

        // Act
        var refusal = await Assert.ThrowsAsync<BuildFailedException>(() => scratch.ImportAsync(tarball));

        // Assert
        Assert.Contains($"hard link 'stolen' points out of the tree ('{outside}'): refused", refusal.Message, StringComparison.Ordinal);
        Assert.False(Exists(Path.Combine(scratch.Tree, "stolen")));
        Assert.Equal(1u, Status(outside)!.Value.Nlink);
    }

    [Fact]
    public async Task A_hard_link_up_and_out_of_the_tree_is_refused()
    {
        // Arrange
        using var scratch = new ImportScratch();
        var tarball = scratch.Tarball("evil.tar", writer => AddEntry(writer, TarEntryType.HardLink, "stolen", "../../canary/secret"));

        // Act
        var refusal = await Assert.ThrowsAsync<BuildFailedException>(() => scratch.ImportAsync(tarball));

        // Assert
        Assert.Contains("hard link 'stolen' points out of the tree ('../../canary/secret'): refused", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_hard_link_to_a_name_not_yet_extracted_is_refused()
    {
        // Arrange
        using var scratch = new ImportScratch();
        var tarball = scratch.Tarball("evil.tar", writer =>
        {
            AddEntry(writer, TarEntryType.HardLink, "early", "later");
            AddFile(writer, "later", "x");
        });

        // Act
        var refusal = await Assert.ThrowsAsync<BuildFailedException>(() => scratch.ImportAsync(tarball));

        // Assert
        Assert.Contains("hard link 'early' points to 'later', which is not an earlier file of the archive: refused", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Device_nodes_and_fifos_are_skipped_and_named_in_the_report()
    {
        // Arrange
        using var scratch = new ImportScratch();
        var tarball = scratch.Tarball("devices.tar", writer =>
        {
            writer.WriteEntry(new PaxTarEntry(TarEntryType.CharacterDevice, "dev/mem") { DeviceMajor = 1, DeviceMinor = 1 });
            writer.WriteEntry(new PaxTarEntry(TarEntryType.BlockDevice, "dev/sda") { DeviceMajor = 8, DeviceMinor = 0 });
            AddEntry(writer, TarEntryType.Fifo, "run/pipe");
            AddFile(writer, "marker", "kept");
        });

        // Act
        var report = await scratch.ImportAsync(tarball);

        // Assert
        Assert.Equal(["dev/mem: character device skipped", "dev/sda: block device skipped", "run/pipe: FIFO skipped"], report.Neutralised);
        Assert.False(Exists(Path.Combine(scratch.Tree, "dev", "mem")));
        Assert.False(Exists(Path.Combine(scratch.Tree, "dev", "sda")));
        Assert.False(Exists(Path.Combine(scratch.Tree, "run", "pipe")));
        Assert.Equal("kept", File.ReadAllText(Path.Combine(scratch.Tree, "marker")));
    }

    [Fact]
    public async Task Setuid_and_setgid_bits_are_cleared_and_named_in_the_report()
    {
        // Arrange
        using var scratch = new ImportScratch();
        var tarball = scratch.Tarball("setid.tar", writer =>
        {
            AddFile(writer, "usr/bin/su", "x", (UnixFileMode)0b100_111_101_101);
            AddFile(writer, "usr/bin/wall", "x", (UnixFileMode)0b010_111_101_101);
            AddFile(writer, "usr/bin/both", "x", (UnixFileMode)0b110_111_101_101);
        });

        // Act
        var report = await scratch.ImportAsync(tarball);

        // Assert
        Assert.Equal(["usr/bin/su: setuid bit cleared", "usr/bin/wall: setgid bit cleared", "usr/bin/both: setuid and setgid bits cleared"], report.Neutralised);
        foreach (var name in new[] { "su", "wall", "both" })
        {
            Assert.Equal(0b111_101_101, Status(Path.Combine(scratch.Tree, "usr", "bin", name))!.Value.Mode & 0b111_111_111_111);
        }
    }

    [Fact]
    public async Task A_tarball_over_the_size_cap_is_refused_with_the_setting_to_raise()
    {
        // Arrange
        using var scratch = new ImportScratch();
        var tarball = scratch.Tarball("big.tar", writer => AddFile(writer, "big", new string('x', 2 << 20)));

        // Act
        var refusal = await Assert.ThrowsAsync<BuildFailedException>(() => scratch.ImportAsync(tarball, maxImageBytes: 1 << 20));

        // Assert
        Assert.Contains("unpacks to more than the cap of 1 MiB (at entry 'big'): refused; raise [rootfs] max_image_size", refusal.Message, StringComparison.Ordinal);
        Assert.False(Exists(Path.Combine(scratch.Tree, "big")));
    }

    [Fact]
    public async Task A_gzip_bomb_is_refused_before_it_is_written()
    {
        // Arrange: 256 MiB of zeros in a gzip of well under 1 MiB.
        using var scratch = new ImportScratch();
        var bomb = Path.Combine(scratch.Root, "bomb.tar.gz");
        using (var output = File.Create(bomb))
        using (var gzip = new GZipStream(output, CompressionLevel.SmallestSize))
        using (var writer = new TarWriter(gzip, TarEntryFormat.Pax))
        {
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "zeros") { DataStream = new ZeroStream(256L << 20) });
        }

        // Act
        var refusal = await Assert.ThrowsAsync<BuildFailedException>(() => scratch.ImportAsync(bomb, maxImageBytes: 1 << 20));

        // Assert
        Assert.True(new FileInfo(bomb).Length < 1 << 20);
        Assert.Contains("unpacks to more than the cap of 1 MiB (at entry 'zeros')", refusal.Message, StringComparison.Ordinal);
        Assert.False(Exists(Path.Combine(scratch.Tree, "zeros")));
    }

    [Fact]
    public async Task Many_small_entries_reach_the_size_cap_too()
    {
        // Arrange: no entry is large, but their count is (each costs at least a tar block).
        using var scratch = new ImportScratch();
        var tarball = scratch.Tarball("many.tar", writer =>
        {
            for (var i = 0; i < 3000; i++)
            {
                AddEntry(writer, TarEntryType.Directory, $"d{i}");
            }
        });

        // Act
        var refusal = await Assert.ThrowsAsync<BuildFailedException>(() => scratch.ImportAsync(tarball, maxImageBytes: 1 << 20));

        // Assert
        Assert.Contains("unpacks to more than the cap of 1 MiB", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_entry_name_cannot_forge_a_line_of_the_extractors_answer()
    {
        // Arrange: a name with a carriage return (a line break to aisbx's reader) that would read as a line of its own.
        using var scratch = new ImportScratch();
        var tarball = scratch.Tarball("names.tar", writer => AddFile(writer, "x\rsize: 1\rneutralised: fake", "x", (UnixFileMode)0b100_111_101_101));

        // Act
        var report = await scratch.ImportAsync(tarball);

        // Assert
        Assert.Equal(["x\\x0dsize: 1\\x0dneutralised: fake: setuid bit cleared"], report.Neutralised);
        Assert.NotEqual(1, report.SizeBytes);
    }

    private sealed class ZeroStream(long length) : Stream
    {
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => true;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position { get => _position; set => _position = value; }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var take = (int)Math.Min(count, length - _position);
            Array.Clear(buffer, offset, take);
            _position += take;
            return take;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => _position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            _ => length + offset,
        };

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
