namespace Aisbx.Core.Configuration;

/// <summary>Where built trees live and what a build may take (<c>[rootfs]</c> in config.toml).</summary>
public sealed record RootfsSettings
{
    /// <summary>The uid/gid that unpacks images and owns their trees: not root, and not the sandbox's uid.</summary>
    public const int DefaultBuildId = 65531;

    public static readonly RootfsSettings Default = new();

    /// <summary>Built trees, under the hash of their inputs; null for <c>&lt;config&gt;/rootfs</c>.</summary>
    public string? Store { get; init; }

    /// <summary>Downloaded packages kept between builds; null for <c>&lt;config&gt;/cache</c>.</summary>
    public string? Cache { get; init; }

    /// <summary>A build that takes longer is stopped and leaves nothing behind.</summary>
    public TimeSpan BuildTimeout { get; init; } = TimeSpan.FromMinutes(20);

    /// <summary>The most an imported image may unpack to.</summary>
    public long MaxImageBytes { get; init; } = 8L << 30;

    public int BuildUid { get; init; } = DefaultBuildId;

    public int BuildGid { get; init; } = DefaultBuildId;
}
