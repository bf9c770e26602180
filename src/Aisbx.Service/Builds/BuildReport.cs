using Aisbx.Sandbox.Rootfs;

namespace Aisbx.Service.Builds;

/// <summary>
/// What a build made and found (<c>aisbx-build</c>, <c>GET /v1/builds/{id}</c>): the profile's tree, whether it was
/// already there (<see cref="Cached"/>: a no-op), how long the build took, and whether the profile is ready to run
/// (its toolchain present, its syscall filter compiled and cached).
/// </summary>
public sealed record BuildReport(
    string Profile,
    bool Ready,
    BuildTree Tree,
    bool Cached,
    double TookMs,
    IReadOnlyList<string> Notes,
    IReadOnlyList<string> Toolchain,
    IReadOnlyList<string> MissingTools,
    string? InstallHint,
    int FilterInstructions);

/// <summary>A profile's tree as a caller sees it: its state, the hash of its inputs, its size and when it was built; never where it lives on the host.</summary>
/// <param name="State"><c>built</c>, or <c>host</c> for a profile that runs on the host's /usr.</param>
/// <param name="Hash">The hash of the tree's inputs; empty for the host.</param>
public sealed record BuildTree(string State, string Hash, long? SizeBytes, DateTimeOffset? BuiltAt)
{
    public static BuildTree Of(TreeStatus status) => new(status.StateName, status.Hash, status.SizeBytes, status.BuiltAt);

    /// <summary>The first 12 characters of the hash, as the CLI prints it.</summary>
    public string ShortHash => Hash.Length > 12 ? Hash[..12] : Hash;
}
