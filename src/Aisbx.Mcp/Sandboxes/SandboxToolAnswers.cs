using System.Text.Json.Serialization;

namespace Aisbx.Mcp.Sandboxes;

/// <summary>A file written: its path in the sandbox, and how many bytes it holds.</summary>
public sealed record FileWritten(string Path, long Bytes);

/// <summary>A file read: its bytes in base64 always, and as text too when they are valid UTF-8.</summary>
public sealed record FileRead(string Path, long Size, string ContentBase64)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Content { get; init; }
}

public sealed record SandboxClosed(string SandboxId, bool Closed);

/// <summary>Bytes given to a background process's stdin, and whether its stdin is now closed.</summary>
public sealed record StdinWritten(string SandboxId, int ProcessId, long Bytes, bool Closed);

/// <summary>A signal sent to a background process's process group, by number.</summary>
public sealed record SignalSent(string SandboxId, int ProcessId, int Signal);

/// <summary>Source-generated JSON for the answers that only the sandbox tools give.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(FileWritten))]
[JsonSerializable(typeof(FileRead))]
[JsonSerializable(typeof(SandboxClosed))]
[JsonSerializable(typeof(StdinWritten))]
[JsonSerializable(typeof(SignalSent))]
internal sealed partial class SandboxToolJsonContext : JsonSerializerContext;
