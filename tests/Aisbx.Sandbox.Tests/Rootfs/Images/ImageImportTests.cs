using System.Formats.Tar;
using System.IO.Compression;
using Aisbx.Sandbox.Rootfs;
using static Aisbx.Sandbox.Tests.Rootfs.Images.ImportScratch;

namespace Aisbx.Sandbox.Tests.Rootfs.Images;

/// <summary>Every kind of image, made with the real tools (umoci, skopeo, TarWriter), imports into a tree of the build uid's.</summary>
public class ImageImportTests
{
    [Fact]
    public async Task An_OCI_layout_made_with_umoci_imports_with_its_marker()
    {
        // Arrange
        using var scratch = new ImportScratch();
        var layout = scratch.OciLayout("layout", "v1", rootfs => File.WriteAllText(Path.Combine(rootfs, "marker"), "from-umoci"));

        // Act
        var report = await scratch.ImportAsync(layout);

        // Assert
        Assert.Equal("from-umoci", File.ReadAllText(Path.Combine(scratch.Tree, "marker")));
        Assert.True(report.SizeBytes >= "from-umoci".Length);
        Assert.Empty(report.Neutralised);
    }

    [Fact]
    public async Task An_OCI_layout_with_several_images_imports_the_one_its_tag_names()
    {
        // Arrange
        using var scratch = new ImportScratch();
        var layout = scratch.OciLayout("layout", "first", rootfs => File.WriteAllText(Path.Combine(rootfs, "marker"), "first"));
        Run("umoci", "new", "--image", $"{layout}:second");

        // Act
        var ambiguous = await Assert.ThrowsAsync<BuildFailedException>(() => scratch.ImportAsync(layout));
        Directory.Delete(scratch.Tree, recursive: true);
        await scratch.ImportAsync($"{layout}:first");

        // Assert
        Assert.Contains("holds 2 images: name one as", ambiguous.Message, StringComparison.Ordinal);
        Assert.Equal("first", File.ReadAllText(Path.Combine(scratch.Tree, "marker")));
    }

    [Fact]
    public async Task A_docker_save_tarball_made_with_skopeo_imports_with_its_marker()
    {
        // Arrange
        using var scratch = new ImportScratch();
        var layout = scratch.OciLayout("layout", "v1", rootfs => File.WriteAllText(Path.Combine(rootfs, "marker"), "from-docker-save"));
        var archive = Path.Combine(scratch.Root, "saved.tar");
        Run("skopeo", "copy", $"oci:{layout}:v1", $"docker-archive:{archive}:example/image:v1");
        File.SetUnixFileMode(archive, UnixFileMode.UserRead | UnixFileMode.UserWrite); // root's alone, as under /root

        // Act
        await scratch.ImportAsync(archive);

        // Assert
        Assert.Equal("from-docker-save", File.ReadAllText(Path.Combine(scratch.Tree, "marker")));
    }

    [Fact]
    public async Task An_OCI_archive_made_with_skopeo_imports_with_its_marker()
    {
        // Arrange
        using var scratch = new ImportScratch();
        var layout = scratch.OciLayout("layout", "v1", rootfs => File.WriteAllText(Path.Combine(rootfs, "marker"), "from-oci-archive"));
        var archive = Path.Combine(scratch.Root, "oci.tar");
        Run("skopeo", "copy", $"oci:{layout}:v1", $"oci-archive:{archive}:v1");

        // Act
        await scratch.ImportAsync(archive);

        // Assert
        Assert.Equal("from-oci-archive", File.ReadAllText(Path.Combine(scratch.Tree, "marker")));
    }

    [Fact]
    public async Task A_flat_tarball_imports_with_its_files_dirs_and_links_owned_by_the_build_uid()
    {
        // Arrange
        using var scratch = new ImportScratch();
        var tarball = scratch.Tarball("flat.tar", writer =>
        {
            AddEntry(writer, TarEntryType.Directory, "./", mode: (UnixFileMode)0b111_000_000);
            AddEntry(writer, TarEntryType.Directory, "./usr/bin/", mode: (UnixFileMode)0b101_101_101);
            AddFile(writer, "./usr/bin/tool", "#!/bin/sh\n", (UnixFileMode)0b111_101_101);
            AddEntry(writer, TarEntryType.SymbolicLink, "./bin", "usr/bin");
            AddEntry(writer, TarEntryType.SymbolicLink, "./etc/absolute", "/usr/bin/tool");
            AddEntry(writer, TarEntryType.HardLink, "./usr/bin/tool2", "./usr/bin/tool");
            AddFile(writer, "etc/marker", "flat");
        });
        File.SetUnixFileMode(tarball, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        // Act
        var report = await scratch.ImportAsync(tarball);

        // Assert
        Assert.Equal("flat", File.ReadAllText(Path.Combine(scratch.Tree, "etc", "marker")));
        Assert.Equal("usr/bin", File.ResolveLinkTarget(Path.Combine(scratch.Tree, "bin"), returnFinalTarget: false)!.ToString().Replace(scratch.Tree + "/", "", StringComparison.Ordinal));
        Assert.Equal("#!/bin/sh\n", File.ReadAllText(Path.Combine(scratch.Tree, "usr", "bin", "tool2")));
        Assert.Equal((UnixFileMode)0b101_101_101, File.GetUnixFileMode(Path.Combine(scratch.Tree, "usr", "bin")));
        Assert.Equal((UnixFileMode)0b111_101_101, File.GetUnixFileMode(scratch.Tree));
        foreach (var path in new[] { "", "usr", "usr/bin", "usr/bin/tool", "bin", "etc/marker" })
        {
            Assert.Equal((uint)BuildUid, Status(Path.Combine(scratch.Tree, path))!.Value.Uid);
        }

        Assert.Empty(report.Neutralised);
        Assert.Equal("#!/bin/sh\n".Length + "flat".Length, report.SizeBytes - (7 * 512)); // a hard link's data once; 512 a header
    }

    [Fact]
    public async Task A_gzipped_flat_tarball_imports()
    {
        // Arrange
        using var scratch = new ImportScratch();
        var plain = scratch.Tarball("flat.tar", writer => AddFile(writer, "marker", "gzipped"));
        var gzipped = Path.Combine(scratch.Root, "flat.tar.gz");
        using (var output = File.Create(gzipped))
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        using (var input = File.OpenRead(plain))
        {
            input.CopyTo(gzip);
        }

        // Act
        await scratch.ImportAsync(gzipped);

        // Assert
        Assert.Equal("gzipped", File.ReadAllText(Path.Combine(scratch.Tree, "marker")));
    }

    [Fact]
    public async Task A_docker_reference_without_a_reachable_registry_fails_in_one_line()
    {
        // Arrange
        using var scratch = new ImportScratch();

        // Act
        var failure = await Assert.ThrowsAsync<BuildFailedException>(() => scratch.ImportAsync("docker://registry.invalid/aisbx/none:latest"));

        // Assert
        Assert.StartsWith("skopeo could not read image docker://registry.invalid/aisbx/none:latest: ", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', failure.Message);
        Assert.DoesNotContain(scratch.Root, failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_image_or_a_file_that_is_no_tar_is_refused_with_the_fix()
    {
        // Arrange
        using var scratch = new ImportScratch();
        var notTar = Path.Combine(scratch.Root, "notes.txt");
        await File.WriteAllTextAsync(notTar, "just text, not an archive", TestContext.Current.CancellationToken);
        var empty = Path.Combine(scratch.Root, "empty.tar");
        await File.WriteAllBytesAsync(empty, new byte[1024], TestContext.Current.CancellationToken); // two zero blocks: a tar's end

        // Act
        var missing = await Assert.ThrowsAsync<BuildFailedException>(() => scratch.ImportAsync(Path.Combine(scratch.Root, "absent.tar")));
        var wrong = await Assert.ThrowsAsync<BuildFailedException>(() => scratch.ImportAsync(notTar));
        var nothing = await Assert.ThrowsAsync<BuildFailedException>(() => scratch.ImportAsync(empty));

        // Assert
        Assert.Contains("does not exist: set [rootfs] image", missing.Message, StringComparison.Ordinal);
        Assert.Contains("is not a tar archive", wrong.Message, StringComparison.Ordinal);
        Assert.Contains("the archive has no entries: refused", nothing.Message, StringComparison.Ordinal);
    }
}
