using System.Collections.Immutable;

namespace Aisbx.Core.Rootfs;

public enum RootfsKind
{
    /// <summary>The host's own /usr (and the parts of /etc programs need), read-only.</summary>
    Host,

    /// <summary>A tree that mmdebstrap builds from Debian packages.</summary>
    Packages,

    /// <summary>A tree unpacked from an image: an OCI layout, a docker save/export tarball, or a docker:// reference.</summary>
    Image,
}

/// <summary>
/// Where a profile's system comes from (<c>[rootfs]</c>). Everything that decides the built tree is here, and
/// nothing else: the tree's hash is taken over exactly these inputs (<see cref="TreeInputs"/>).
/// </summary>
public sealed record RootfsSpec
{
    public static readonly RootfsSpec Host = new() { Kind = RootfsKind.Host };

    public required RootfsKind Kind { get; init; }

    /// <summary>The Debian packages to install (sorted, distinct), besides the essential set.</summary>
    public ImmutableArray<string> Packages { get; init; } = [];

    /// <summary>The suite (e.g. <c>bookworm</c>); null for the host's own.</summary>
    public string? Suite { get; init; }

    /// <summary>The mirror; null for the host's apt sources'.</summary>
    public string? Mirror { get; init; }

    /// <summary>An image path (OCI layout directory or tarball) or a <c>docker://</c> reference.</summary>
    public string? Image { get; init; }

    public bool IsBuilt => Kind != RootfsKind.Host;

    /// <summary>One line for tables: <c>host</c>, <c>packages: python3, python3-pip</c>, <c>image: /srv/img.tar</c>.</summary>
    public string Describe() => Kind switch
    {
        RootfsKind.Host => "host",
        RootfsKind.Packages => $"packages: {string.Join(", ", Packages)}{(Suite is null ? "" : $" ({Suite})")}",
        _ => $"image: {Image}",
    };

    public bool Equals(RootfsSpec? other) =>
        other is not null && Kind == other.Kind && Packages.SequenceEqual(other.Packages) && Suite == other.Suite && Mirror == other.Mirror && Image == other.Image;

    public override int GetHashCode() => HashCode.Combine(Kind, Packages.Length, Suite, Mirror, Image);
}
