using System.Formats.Tar;
using System.IO.Compression;

namespace Aisbx.Sandbox.Rootfs.Images;

/// <summary>
/// Tells a <c>docker save</c> archive and an OCI archive from a flat root filesystem by the names at the tarball's
/// top. It reads headers only, never writes, and stops once the entries pass the size cap (the extractor then
/// refuses the archive for its size).
/// </summary>
internal static class ArchiveProbe
{
    public static ImageFormat FormatOf(string path, long maxBytes, CancellationToken cancellationToken)
    {
        try
        {
            using var file = File.OpenRead(path);
            using var archive = IsGzip(file) ? new GZipStream(file, CompressionMode.Decompress) : (Stream)file;
            using var reader = new TarReader(archive);
            var seen = 0L;
            var hasLayout = false;
            while (reader.GetNextEntry() is { } entry)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var name = entry.Name.StartsWith("./", StringComparison.Ordinal) ? entry.Name[2..] : entry.Name;
                if (name == "manifest.json")
                {
                    return ImageFormat.DockerArchive;
                }

                hasLayout |= name == "oci-layout";
                seen += entry.Length + 512;
                if (seen > maxBytes)
                {
                    break;
                }
            }

            return hasLayout ? ImageFormat.OciArchive : ImageFormat.FlatTarball;
        }
        catch (Exception ex) when (ex is InvalidDataException or FormatException or EndOfStreamException or ArgumentException)
        {
            throw new BuildFailedException($"image {path} is not a tar archive (plain or gzip): name an OCI layout directory, a docker save or docker export tarball, or a docker:// reference");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new BuildFailedException($"image {path} cannot be read ({ex.Message}): check the path in [rootfs] image");
        }
    }

    private static bool IsGzip(FileStream file)
    {
        Span<byte> head = stackalloc byte[2];
        var got = file.ReadAtLeast(head, 2, throwOnEndOfStream: false);
        file.Position = 0;
        return got == 2 && head[0] == 0x1f && head[1] == 0x8b;
    }
}
