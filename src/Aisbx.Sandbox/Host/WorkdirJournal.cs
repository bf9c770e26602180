using System.Text.Json.Serialization;

namespace Aisbx.Sandbox.Host;

/// <summary>
/// What must be undone in a workdir after its runs, written to <c>&lt;config&gt;/state/workdirs/</c> before the first
/// change, so that <see cref="WorkdirRestore.SweepAbandoned"/> can finish the job when aisbx was killed.
/// </summary>
internal sealed record WorkdirJournal
{
    /// <summary>The workdir was lent to the sandbox uid: give it back to the owner.</summary>
    public const string HandOver = "hand-over";

    public required string Kind { get; init; }

    /// <summary>The workdir's real path, to find it again; <see cref="DeviceMajor"/>, <see cref="DeviceMinor"/> and <see cref="Inode"/> prove it is the same directory.</summary>
    public required string Workdir { get; init; }

    public required uint DeviceMajor { get; init; }

    public required uint DeviceMinor { get; init; }

    public required ulong Inode { get; init; }

    public required int OwnerUid { get; init; }

    public required int OwnerGid { get; init; }

    public required int SandboxUid { get; init; }

    public required int SandboxGid { get; init; }
}

[JsonSerializable(typeof(WorkdirJournal))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
internal sealed partial class WorkdirJournalContext : JsonSerializerContext;
