using System.Text.Json;
using System.Text.Json.Nodes;

namespace Aisbx.Sandbox.Rootfs.Images;

/// <summary>
/// Copies an OCI layout into the work directory for umoci, which runs as the build uid and could not read the
/// original (umoci writes index.json 0600). The copy's index names the one chosen image <see cref="Tag"/>.
/// Only regular files are copied (a blob that is a symlink is refused), at most the size cap in all.
/// </summary>
internal static class ImageLayoutCopy
{
    public const string Tag = "aisbx";
    private const string RefName = "org.opencontainers.image.ref.name";
    private const long MaxIndexBytes = 4 << 20;

    public static void Copy(ImageSource source, string destination, ImportDirectories directories, long maxBytes, CancellationToken cancellationToken)
    {
        var descriptor = Choose(source);
        directories.MakeDirectory(destination);
        var blobs = directories.MakeDirectory(Path.Combine(destination, "blobs"));
        var copied = 0L;
        foreach (var algorithm in new DirectoryInfo(Path.Combine(source.Path, "blobs")).EnumerateDirectories())
        {
            Refuse(algorithm, source, Interop.Interop.S_IFDIR);
            var target = directories.MakeDirectory(Path.Combine(blobs, algorithm.Name));
            foreach (var blob in algorithm.EnumerateFileSystemInfos())
            {
                cancellationToken.ThrowIfCancellationRequested();
                Refuse(blob, source, Interop.Interop.S_IFREG);
                copied += ((FileInfo)blob).Length;
                if (copied > maxBytes)
                {
                    throw new BuildFailedException($"image {source.Path} holds more than the cap of {Core.Units.ByteSize.Format(maxBytes)}: refused; raise [rootfs] max_image_size in config.toml");
                }

                var copy = Path.Combine(target, blob.Name);
                File.Copy(blob.FullName, copy);
                directories.Own(copy);
            }
        }

        var layout = Path.Combine(destination, "oci-layout");
        File.WriteAllText(layout, """{"imageLayoutVersion":"1.0.0"}""");
        directories.Own(layout);
        var index = Path.Combine(destination, "index.json");
        File.WriteAllText(index, new JsonObject { ["schemaVersion"] = 2, ["manifests"] = new JsonArray(descriptor) }.ToJsonString());
        directories.Own(index);
    }

    /// <summary>The image's manifest descriptor, named <see cref="Tag"/>: the tag asked for, or the layout's only image.</summary>
    private static JsonObject Choose(ImageSource source)
    {
        var indexPath = Path.Combine(source.Path, "index.json");
        JsonArray manifests;
        try
        {
            if (new FileInfo(indexPath).Length > MaxIndexBytes)
            {
                throw new BuildFailedException($"image {source.Path}: index.json is larger than {MaxIndexBytes >> 20} MiB: refused");
            }

            manifests = JsonNode.Parse(File.ReadAllText(indexPath))?["manifests"] as JsonArray
                ?? throw new BuildFailedException($"image {source.Path}: index.json lists no manifests: make the layout with skopeo or umoci");
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            throw new BuildFailedException($"image {source.Path}: index.json is not valid JSON: make the layout with skopeo or umoci");
        }

        var candidates = manifests.OfType<JsonObject>()
            .Where(m => source.Tag is null || (m["annotations"] as JsonObject)?[RefName] is JsonValue name && name.TryGetValue<string>(out var text) && text == source.Tag)
            .ToList();
        if (candidates.Count != 1)
        {
            var names = manifests.OfType<JsonObject>().Select(m => (m["annotations"] as JsonObject)?[RefName]?.ToString()).OfType<string>();
            throw new BuildFailedException(source.Tag is null
                ? $"image {source.Path} holds {candidates.Count} images: name one as {source.Path}:TAG (tags: {string.Join(", ", names)})"
                : $"image {source.Path} has no image tagged '{source.Tag}': use one of {string.Join(", ", names)}");
        }

        var descriptor = (JsonObject)candidates[0].DeepClone();
        if (descriptor["annotations"] is JsonObject annotations)
        {
            annotations[RefName] = Tag;
        }
        else
        {
            descriptor["annotations"] = new JsonObject { [RefName] = Tag };
        }

        return descriptor;
    }

    /// <summary>Refuses anything but a plain directory or file (a FIFO would hang the copy; a link could lead anywhere).</summary>
    private static void Refuse(FileSystemInfo entry, ImageSource source, int type)
    {
        if (Interop.Interop.StatxCall(Interop.Interop.AT_FDCWD, entry.FullName, Interop.Interop.AT_SYMLINK_NOFOLLOW, Interop.Interop.STATX_BASIC_STATS, out var status) != 0
            || (status.Mode & Interop.Interop.S_IFMT) != type)
        {
            throw new BuildFailedException($"image {source.Path}: blobs/{entry.Name} is a link or not a regular file or directory: refused; copy the layout with 'skopeo copy oci:SRC oci:DEST'");
        }
    }
}
