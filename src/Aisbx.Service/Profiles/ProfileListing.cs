namespace Aisbx.Service.Profiles;

/// <summary>A profile as the listing shows it (<c>aisbx-profile-list</c>, <c>GET /v1/profiles</c>).</summary>
public sealed record ProfileEntry(
    string Name,
    string Description,
    string Network,
    IReadOnlyList<string> AllowedNetworks,
    IReadOnlyList<string> Toolchain,
    bool ToolchainPresent,
    IReadOnlyList<string> MissingTools,
    string Syscalls,
    IReadOnlyDictionary<string, string> Limits);

public sealed record ProfileListing(IReadOnlyList<ProfileEntry> Profiles);
