using System.Text.Json.Serialization;
using Aisbx.Core.Profiles;
using Aisbx.Core.Units;
using Aisbx.Sandbox.Rootfs;

namespace Aisbx.Cli.Commands;

/// <summary>A profile as <c>profile list --json</c> and <c>profile show --json</c> print it.</summary>
internal sealed record ProfileDocument(
    string Name,
    string Description,
    string Origin,
    string Rootfs,
    EnvironmentDocument Environment,
    string Network,
    IReadOnlyList<string> AllowedNetworks,
    EgressDocument Egress,
    IReadOnlyList<string> Toolchain,
    bool ToolchainPresent,
    IReadOnlyList<string> MissingTools,
    LimitsDocument Limits,
    IReadOnlyDictionary<string, string> Env,
    IReadOnlyList<MountDocument> Mounts,
    IReadOnlyList<string> DeniedCommands,
    SyscallsDocument Syscalls)
{
    public static ProfileDocument From(Profile profile, IReadOnlyList<string> missingTools, TreeStatus tree) => new(
        profile.Name,
        profile.Description,
        profile.Origin,
        profile.Rootfs.Describe(),
        EnvironmentDocument.From(tree),
        NetworkModeText.Format(profile.Network),
        [.. profile.AllowedNetworks.Select(NetworkModeText.Format)],
        EgressDocument.From(profile.Egress),
        profile.Toolchain,
        missingTools.Count == 0,
        missingTools,
        LimitsDocument.From(profile.Limits),
        profile.Env,
        [.. profile.Mounts.Select(m => new MountDocument(m.Source, m.Target, m.Optional))],
        profile.DeniedCommands,
        SyscallsDocument.From(profile.Syscalls));
}

/// <summary>The profile's seccomp policy: what unnamed syscalls get, and the named ones by action.</summary>
internal sealed record SyscallsDocument(string Default, IReadOnlyList<string> Deny, IReadOnlyList<string> Kill, IReadOnlyList<string> Allow)
{
    public static SyscallsDocument From(SyscallPolicy policy) => new(
        policy.Default.ToString().ToLowerInvariant(),
        [.. policy.Deny.Where(s => !policy.Kill.Contains(s))],
        policy.Kill,
        policy.IsAllowlist ? policy.Allow : []);
}

internal sealed record LimitsDocument(string WallTime, string CpuTime, string Memory, int Pids, string FileSize, int OpenFiles, string TmpSize, string Output)
{
    public static LimitsDocument From(ResourceLimits limits) => new(
        DurationText.Format(limits.WallTime),
        DurationText.Format(limits.CpuTime),
        ByteSize.Format(limits.MemoryBytes),
        limits.Pids,
        ByteSize.Format(limits.FileSizeBytes),
        limits.OpenFiles,
        ByteSize.Format(limits.TmpSizeBytes),
        ByteSize.Format(limits.OutputBytes));
}

/// <summary>A profile's environment: <c>host</c>, <c>built</c> (when, size, hash), <c>missing</c> or <c>stale</c>.</summary>
internal sealed record EnvironmentDocument(string State, string? Hash, DateTimeOffset? BuiltAt, long? SizeBytes, string Summary)
{
    public static EnvironmentDocument From(TreeStatus tree) => new(
        tree.StateName,
        tree.State == TreeState.Host ? null : tree.Hash,
        tree.BuiltAt,
        tree.SizeBytes,
        tree.Describe());
}

/// <summary>What a run with network allowlist may reach (an entry without a port: 80 and 443), what it may not, and its caps.</summary>
internal sealed record EgressDocument(IReadOnlyList<string> Allow, IReadOnlyList<string> Deny, int MaxConnections, long MaxBytes)
{
    public static EgressDocument From(Core.Egress.EgressPolicy egress) =>
        new([.. egress.Allow.Select(p => p.ToString())], [.. egress.Deny.Select(p => p.ToString())], egress.MaxConnections, egress.MaxBytes);
}

internal sealed record MountDocument(string Source, string Target, bool Optional);

internal sealed record DoctorCheck(string Name, string Status, string Detail);

internal sealed record DoctorReport(bool Ok, IReadOnlyList<DoctorCheck> Checks);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(ProfileDocument))]
[JsonSerializable(typeof(List<ProfileDocument>))]
[JsonSerializable(typeof(DoctorReport))]
[JsonSerializable(typeof(DryRunDocument))]
internal sealed partial class CliJsonContext : JsonSerializerContext;
