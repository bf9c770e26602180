using System.Collections.Immutable;

namespace Aisbx.Core.Profiles;

/// <summary>A named sandbox recipe: what the program sees, what it may use, and what it may not run.</summary>
public sealed record Profile
{
    public required string Name { get; init; }

    public required string Description { get; init; }

    /// <summary>Where the sandbox's system comes from: the host's own dirs, or a tree <c>aisbx build</c> makes.</summary>
    public Rootfs.RootfsSpec Rootfs { get; init; } = Aisbx.Core.Rootfs.RootfsSpec.Host;

    public ImmutableArray<ProfileMount> Mounts { get; init; } = [];

    public ImmutableSortedDictionary<string, string> Env { get; init; } = ImmutableSortedDictionary<string, string>.Empty;

    public ResourceLimits Limits { get; init; } = ResourceLimits.Default;

    public NetworkMode Network { get; init; } = NetworkMode.None;

    /// <summary>The network modes a run of this profile may ask for; always includes <see cref="Network"/>.</summary>
    public ImmutableArray<NetworkMode> AllowedNetworks { get; init; } = [NetworkMode.None];

    /// <summary>The hosts a run in network mode allowlist may reach, and its caps; unused in the other modes.</summary>
    public Egress.EgressPolicy Egress { get; init; } = Aisbx.Core.Egress.EgressPolicy.None;

    /// <summary>Command names refused before launch: a guard rail for agents, not the security boundary.</summary>
    public ImmutableArray<string> DeniedCommands { get; init; } = [];

    /// <summary>The syscalls the sandbox's seccomp filter refuses (EPERM) or kills the sandbox for.</summary>
    public SyscallPolicy Syscalls { get; init; } = SyscallPolicy.Empty;

    /// <summary>The commands that make up the profile's toolchain; <c>doctor</c> checks each one.</summary>
    public ImmutableArray<string> Toolchain { get; init; } = [];

    /// <summary>How to get the toolchain onto a host that lacks it, e.g. <c>apt-get install python3</c>.</summary>
    public string? InstallHint { get; init; }

    /// <summary>Where the profile came from: <c>built-in</c> or the path of the user's file.</summary>
    public string Origin { get; init; } = "built-in";
}
