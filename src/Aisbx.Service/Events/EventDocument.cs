using Aisbx.Core.Security;

namespace Aisbx.Service.Events;

/// <summary>A security event as JSON: in the structured log, and in the data of an MCP log notification.</summary>
public sealed record EventDocument(string Kind, string Detail, string Severity, string Action, string? SandboxId, string Profile, string Caller, DateTimeOffset Time)
{
    /// <summary>An egress event's connection (host, port, verdict, rule, address, bytes each way); absent otherwise.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public Core.Runs.NetworkConnection? Egress { get; init; }

    public static EventDocument From(SecurityEvent e) =>
        new(e.Kind, e.Detail, e.Severity.Name(), e.Action, e.SandboxId, e.Profile, e.Caller, e.Time) { Egress = e.Egress };
}
