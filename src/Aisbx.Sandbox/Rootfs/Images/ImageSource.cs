namespace Aisbx.Sandbox.Rootfs.Images;

public enum ImageFormat
{
    /// <summary>A directory with <c>oci-layout</c> and <c>index.json</c>.</summary>
    OciLayout,

    /// <summary>A <c>docker save</c> tarball: <c>manifest.json</c> at its top.</summary>
    DockerArchive,

    /// <summary>An OCI layout as a tarball: <c>oci-layout</c> at its top.</summary>
    OciArchive,

    /// <summary>Any other tarball: a root filesystem (<c>docker export</c>).</summary>
    FlatTarball,

    /// <summary>A <c>docker://</c> reference, fetched from its registry.</summary>
    Registry,
}

/// <summary>An image as a profile names it, once its format is known.</summary>
/// <param name="Tag">For a layout named <c>PATH:TAG</c>, the tag; otherwise null.</param>
public sealed record ImageSource(ImageFormat Format, string Path, string? Tag)
{
    public const string RegistryPrefix = "docker://";

    /// <summary>Which kind of image <paramref name="image"/> is (an absolute path, <c>PATH:TAG</c> or a docker:// reference).</summary>
    /// <exception cref="BuildFailedException">It does not exist, or is neither a layout directory nor a file.</exception>
    public static ImageSource Classify(string image, long maxBytes, CancellationToken cancellationToken)
    {
        if (image.StartsWith(RegistryPrefix, StringComparison.Ordinal))
        {
            return new(ImageFormat.Registry, image, null);
        }

        if (Directory.Exists(image))
        {
            return Layout(image, null);
        }

        var colon = image.LastIndexOf(':');
        if (colon > image.LastIndexOf('/') && Directory.Exists(image[..colon]))
        {
            return Layout(image[..colon], image[(colon + 1)..]);
        }

        if (!File.Exists(image))
        {
            throw new BuildFailedException($"image {image} does not exist: set [rootfs] image to an OCI layout directory, a tarball, or a docker:// reference");
        }

        return new(ArchiveProbe.FormatOf(image, maxBytes, cancellationToken), image, null);
    }

    private static ImageSource Layout(string directory, string? tag) =>
        File.Exists(System.IO.Path.Combine(directory, "oci-layout")) && File.Exists(System.IO.Path.Combine(directory, "index.json"))
            ? new(ImageFormat.OciLayout, directory, tag)
            : throw new BuildFailedException($"image {directory} is a directory but not an OCI layout (no oci-layout and index.json): make one with 'skopeo copy ... oci:{directory}:TAG', or name a tarball");
}
