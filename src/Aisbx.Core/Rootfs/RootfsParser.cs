using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Aisbx.Core.Configuration;

namespace Aisbx.Core.Rootfs;

/// <summary>
/// Reads a profile's <c>rootfs</c>: the string <c>"host"</c>, or a <c>[rootfs]</c> table with <c>packages</c>
/// (and optionally <c>suite</c>, <c>mirror</c>) or <c>image</c>. A profile that extends another and sets
/// <c>[rootfs]</c> replaces the base's whole.
/// </summary>
internal static partial class RootfsParser
{
    private const string Shapes = "write rootfs = \"host\", or a [rootfs] table with packages = [\"python3\"] or image = \"/path/to/image.tar\"";

    public static RootfsSpec Read(TomlSection root, RootfsSpec current)
    {
        if (!root.Has("rootfs"))
        {
            return current;
        }

        if (!root.IsTable("rootfs"))
        {
            return root.String("rootfs") == "host" ? RootfsSpec.Host : throw root.Error($"'rootfs' is not a kind aisbx knows: {Shapes}");
        }

        var table = root.Table("rootfs")!;
        var packages = table.StringList("packages");
        var image = table.String("image");
        var suite = table.String("suite");
        var mirror = table.String("mirror");
        table.RejectUnknownKeys();

        if (packages is not null && image is not null)
        {
            throw table.Error("has both 'packages' and 'image': a tree comes from one of them; keep one");
        }

        if (image is not null)
        {
            if (suite is not null || mirror is not null)
            {
                throw table.Error("'suite' and 'mirror' are for packages, not for an image: remove them");
            }

            return new RootfsSpec { Kind = RootfsKind.Image, Image = CheckedImage(table, image) };
        }

        if (packages is null)
        {
            throw table.Error($"names neither 'packages' nor 'image': {Shapes}");
        }

        foreach (var package in packages.Value)
        {
            if (!PackageName().IsMatch(package))
            {
                throw table.Error($"package '{package}' is not a Debian package name: write e.g. \"python3\" or \"libssl3:amd64\"");
            }
        }

        if (suite is not null && !SuiteName().IsMatch(suite))
        {
            throw table.Error($"suite '{suite}' is not a suite name: write e.g. \"bookworm\"");
        }

        if (mirror is not null && !(Uri.TryCreate(mirror, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && !mirror.Contains(' ')))
        {
            throw table.Error($"mirror '{mirror}' is not an http(s) address: write e.g. \"http://deb.debian.org/debian\"");
        }

        return new RootfsSpec
        {
            Kind = RootfsKind.Packages,
            Packages = [.. packages.Value.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)],
            Suite = suite,
            Mirror = mirror,
        };
    }

    private static string CheckedImage(TomlSection table, string image)
    {
        if (image.StartsWith(DockerReference.Scheme, StringComparison.Ordinal))
        {
            return DockerReference.IsValid(image) ? image
                : throw table.Error($"image '{image}' is not a docker reference: write e.g. \"docker://debian:bookworm-slim\"");
        }

        return image.StartsWith('/') || image.StartsWith("~/", StringComparison.Ordinal) ? image
            : throw table.Error($"image '{image}' must be an absolute path (or start with ~/), or a docker://NAME:TAG reference");
    }

    [GeneratedRegex(@"^[a-z0-9][a-z0-9+.\-]*(:[a-z0-9]+)?$")]
    private static partial Regex PackageName();

    [GeneratedRegex(@"^[a-z][a-z0-9\-]*$")]
    private static partial Regex SuiteName();
}

/// <summary>A <c>docker://</c> image reference, fetched through skopeo where a registry can be reached.</summary>
public static partial class DockerReference
{
    public const string Scheme = "docker://";

    public static bool IsValid(string reference) => reference.Length < 512 && Shape().IsMatch(reference);

    [GeneratedRegex(@"^docker://[a-z0-9][a-z0-9._\-/:@]*[a-zA-Z0-9_\-]$")]
    private static partial Regex Shape();
}
