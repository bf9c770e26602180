using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Aisbx.Core.Configuration;
using Aisbx.Core.Rootfs;

namespace Aisbx.Sandbox.Rootfs;

/// <summary>
/// Everything that decides a built tree, written out line by line, and its SHA-256: the tree's name in the store.
/// Cheap enough for every run: no file is hashed, an image file is known by its size and modification time, and an
/// OCI layout by its index (which names its content by digest).
/// </summary>
public sealed record TreeInputs(string Text, IReadOnlyList<AptSource> Sources)
{
    private string? _hash;

    /// <summary>SHA-256 of <see cref="Text"/>, taken when first asked for (loading the crypto library costs a run milliseconds).</summary>
    public string Hash => _hash ??= Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Text)));

    /// <summary>Raised when the way trees are built changes, so that trees built the old way count as stale.</summary>
    public const int RecipeVersion = 1;

    public static TreeInputs Of(RootfsSpec spec, AisbxConfig config)
    {
        var text = new StringBuilder();
        text.Append("aisbx-rootfs ").Append(RecipeVersion).Append('\n');
        text.Append("arch ").Append(DebianArchitecture).Append('\n');
        IReadOnlyList<AptSource> sources = [];
        if (spec.Kind == RootfsKind.Packages)
        {
            sources = SourcesFor(spec);
            text.Append("kind packages\n");
            foreach (var source in sources)
            {
                text.Append("source ").Append(source.DebLine).Append('\n');
            }

            foreach (var package in spec.Packages)
            {
                text.Append("package ").Append(package).Append('\n');
            }
        }
        else
        {
            var image = ImagePath(spec, config);
            text.Append("kind image\nimage ").Append(image).Append('\n');
            text.Append("identity ").Append(ImageIdentity(image)).Append('\n');
        }

        return new TreeInputs(text.ToString(), sources);
    }

    /// <summary>The image path with <c>~</c> expanded, or the docker:// reference as written.</summary>
    public static string ImagePath(RootfsSpec spec, AisbxConfig config) =>
        spec.Image!.StartsWith(DockerReference.Scheme, StringComparison.Ordinal) ? spec.Image : config.ExpandHome(spec.Image);

    public static string DebianArchitecture => RuntimeInformation.OSArchitecture switch
    {
        Architecture.X64 => "amd64",
        Architecture.Arm64 => "arm64",
        Architecture.X86 => "i386",
        Architecture.Arm => "armhf",
        Architecture.S390x => "s390x",
        Architecture.Ppc64le => "ppc64el",
        Architecture.RiscV64 => "riscv64",
        var other => other.ToString().ToLowerInvariant(),
    };

    /// <summary>The host's sources, unless the profile names a suite or mirror: then that one source, with the host's components.</summary>
    private static IReadOnlyList<AptSource> SourcesFor(RootfsSpec spec)
    {
        var host = AptSources.Host;
        if (spec.Suite is null && spec.Mirror is null && host.Count > 0)
        {
            return host;
        }

        var first = host.Count > 0 ? host[0] : null;
        var mirror = spec.Mirror ?? first?.Uri ?? "http://deb.debian.org/debian";
        var suite = spec.Suite ?? first?.Suite
            ?? throw new BuildFailedException("this host has no apt sources to take a suite from: set suite = \"bookworm\" (and mirror) in the profile's [rootfs]");
        return [new AptSource(mirror, suite, first?.Components ?? "main")];
    }

    private static string ImageIdentity(string image)
    {
        if (image.StartsWith(DockerReference.Scheme, StringComparison.Ordinal))
        {
            return "reference";
        }

        try
        {
            var index = Path.Combine(image, "index.json");
            if (Directory.Exists(image))
            {
                return File.Exists(index) ? "oci " + Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(index))) : "directory";
            }

            var info = new FileInfo(image);
            return info.Exists ? $"file {info.Length} {info.LastWriteTimeUtc.Ticks}" : "absent";
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return "unreadable";
        }
    }
}
