using Aisbx.Sandbox.Rootfs;
using static Aisbx.Sandbox.Tests.Rootfs.Images.ImportScratch;

namespace Aisbx.Sandbox.Tests.Rootfs.Images;

/// <summary>A layer umoci unpacks gets the same rules as a flat tarball: the tree is checked after it.</summary>
public class UnpackedTreeCheckTests
{
    [Fact]
    public async Task Set_id_bits_and_fifos_in_an_image_layer_are_neutralised_after_umoci()
    {
        // Arrange
        using var scratch = new ImportScratch();
        var layout = scratch.OciLayout("layout", "v1", rootfs =>
        {
            var tool = Path.Combine(rootfs, "su");
            File.WriteAllText(tool, "x");
            File.SetUnixFileMode(tool, (UnixFileMode)0b110_111_101_101);
            Run("mkfifo", Path.Combine(rootfs, "pipe"));
            File.WriteAllText(Path.Combine(rootfs, "marker"), "layer");
        });

        // Act
        var report = await scratch.ImportAsync(layout);

        // Assert
        Assert.Contains("su: setuid and setgid bits cleared", report.Neutralised);
        Assert.Contains("pipe: FIFO removed", report.Neutralised);
        Assert.Equal(0b111_101_101, Status(Path.Combine(scratch.Tree, "su"))!.Value.Mode & 0b111_111_111_111);
        Assert.False(Exists(Path.Combine(scratch.Tree, "pipe")));
        Assert.Equal((uint)BuildUid, Status(Path.Combine(scratch.Tree, "marker"))!.Value.Uid);
    }

    [Fact]
    public async Task A_symlink_in_a_layer_that_climbs_out_of_the_tree_is_refused()
    {
        // Arrange
        using var scratch = new ImportScratch();
        var layout = scratch.OciLayout("layout", "v1", rootfs =>
        {
            Directory.CreateDirectory(Path.Combine(rootfs, "usr"));
            File.CreateSymbolicLink(Path.Combine(rootfs, "usr", "escape"), "../../../canary");
        });

        // Act
        var refusal = await Assert.ThrowsAsync<BuildFailedException>(() => scratch.ImportAsync(layout));

        // Assert
        Assert.Contains("symlink 'usr/escape' points out of the tree ('../../../canary'): refused", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_image_that_unpacks_over_the_cap_is_refused()
    {
        // Arrange
        using var scratch = new ImportScratch();
        var layout = scratch.OciLayout("layout", "v1", rootfs => File.WriteAllBytes(Path.Combine(rootfs, "big"), new byte[3 << 20]));

        // Act: the layout's compressed blobs are far below the cap; the unpacked tree is not.
        var refusal = await Assert.ThrowsAsync<BuildFailedException>(() => scratch.ImportAsync(layout, maxImageBytes: 1 << 20));

        // Assert
        Assert.Contains("unpacks to more than the cap of 1 MiB (at 'big'): refused; raise [rootfs] max_image_size", refusal.Message, StringComparison.Ordinal);
    }
}
