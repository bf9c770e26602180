namespace Aisbx.Service.Profiles;

/// <summary>A profile as the listing shows it (<c>aisbx-profile-list</c>, <c>GET /v1/profiles</c>).</summary>
public sealed record ProfileEntry(
    string Name,
    string Description,
    string Network,
    IReadOnlyList<string> AllowedNetworks,
    EgressEntry Egress,
    IReadOnlyList<string> Toolchain,
    bool ToolchainPresent,
    IReadOnlyList<string> MissingTools,
    string Syscalls,
    IReadOnlyDictionary<string, string> Limits);

public sealed record ProfileListing(IReadOnlyList<ProfileEntry> Profiles);

/// <summary>What a run with network allowlist may reach (an entry without a port: 80 and 443), what it may not, and its caps.</summary>
public sealed record EgressEntry(IReadOnlyList<string> Allow, IReadOnlyList<string> Deny, int MaxConnections, long MaxBytes)
{
    public static EgressEntry From(Core.Egress.EgressPolicy egress) =>
        new([.. egress.Allow.Select(p => p.ToString())], [.. egress.Deny.Select(p => p.ToString())], egress.MaxConnections, egress.MaxBytes);
}
