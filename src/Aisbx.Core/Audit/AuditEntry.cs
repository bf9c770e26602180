using System.Text.Json.Serialization;
using Aisbx.Core.Security;

namespace Aisbx.Core.Audit;

/// <summary>What one audit record says happened. Never a secret or a key: names only.</summary>
public sealed record AuditEntry(
    string Kind,
    string Detail,
    string Severity,
    string Action,
    string? SandboxId,
    string? Profile,
    string? Caller,
    DateTimeOffset Time)
{
    /// <summary>An egress event's connection: host, port, verdict, address, bytes each way, duration. Absent otherwise.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Runs.NetworkConnection? Egress { get; init; }

    public static AuditEntry From(SecurityEvent e) =>
        new(e.Kind, e.Detail, e.Severity.Name(), e.Action, e.SandboxId, e.Profile, e.Caller, e.Time) { Egress = e.Egress };
}

/// <summary>The part of a record the hash covers: its place in the chain, the previous record's hash, and the entry.</summary>
public sealed record AuditBody(long Seq, string Prev, AuditEntry Event);

/// <summary>The newest record's place and hash, kept beside the log so that a truncated tail is noticed.</summary>
public sealed record AuditHead(long Seq, string Hash, string File);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(AuditBody))]
[JsonSerializable(typeof(AuditHead))]
internal sealed partial class AuditJsonContext : JsonSerializerContext;
