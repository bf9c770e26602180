using Aisbx.Core.Configuration;
using Aisbx.Sandbox.Bubblewrap;

namespace Aisbx.Sandbox.Rootfs.Images;

/// <summary>
/// Fills a new tree from an image: an OCI layout, a <c>docker save</c> or OCI archive (skopeo to a layout, then
/// umoci), a flat <c>docker export</c> tarball (the launcher's checked extractor), or a <c>docker://</c> reference
/// (skopeo). Every tool runs as the build uid, and every path ends with the same rules applied to the tree: nothing
/// outside it, no device nodes, no set-id bits, no more than the cap.
/// </summary>
public static class ImageImporter
{
    /// <param name="image">An absolute path (<c>~</c> already expanded), <c>PATH:TAG</c> for a layout, or a docker:// reference.</param>
    /// <param name="treeDirectory">Made here, owned by the build uid, 0755; its parent must exist and be searchable by that uid.</param>
    /// <exception cref="BuildFailedException">The image cannot be read or breaks a rule; the message names it and the fix.</exception>
    public static async Task<ImportReport> ImportAsync(string image, string treeDirectory, AisbxConfig config, IProgress<BuildProgress>? progress, CancellationToken ct)
    {
        var settings = config.RootfsBuilds;
        var clock = new ImportClock(settings.BuildTimeout);
        var builder = new HostIdentity(settings.BuildUid, settings.BuildGid);
        progress?.Report(BuildProgress.Starting("reading"));
        var source = ImageSource.Classify(image, settings.MaxImageBytes, ct);
        using var directories = new ImportDirectories(treeDirectory, builder);
        var extractor = new CheckedExtractor(directories, builder, clock, settings.MaxImageBytes, progress);
        if (source.Format == ImageFormat.FlatTarball)
        {
            return await extractor.ExtractAsync(source.Path, image, ct).ConfigureAwait(false);
        }

        var tools = new ImageTools(directories, builder, clock, progress);
        switch (source.Format)
        {
            case ImageFormat.OciLayout:
                progress?.Report(BuildProgress.Starting("copying"));
                ImageLayoutCopy.Copy(source, tools.Layout, directories, settings.MaxImageBytes, ct);
                break;
            case ImageFormat.Registry:
                await tools.CopyAsync(source.Path, image, ct).ConfigureAwait(false);
                break;
            default:
                var archive = CopyArchive(source, directories, settings.MaxImageBytes);
                var transport = source.Format == ImageFormat.DockerArchive ? "docker-archive" : "oci-archive";
                await tools.CopyAsync($"{transport}:{archive}", image, ct).ConfigureAwait(false);
                break;
        }

        await tools.UnpackAsync(image, ct).ConfigureAwait(false);
        return await extractor.CheckAsync(image, ct).ConfigureAwait(false);
    }

    /// <summary>skopeo cannot read from a pipe it did not open, nor the original (which may be root's only): a copy it owns.</summary>
    private static string CopyArchive(ImageSource source, ImportDirectories directories, long maxBytes)
    {
        if (new FileInfo(source.Path).Length > maxBytes)
        {
            throw new BuildFailedException($"image {source.Path} is larger than the cap of {Core.Units.ByteSize.Format(maxBytes)}: refused; raise [rootfs] max_image_size in config.toml");
        }

        var copy = Path.Combine(directories.Work, "image.tar");
        File.Copy(source.Path, copy);
        directories.Own(copy);
        return copy;
    }
}
