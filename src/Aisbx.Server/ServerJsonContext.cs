using System.Text.Json.Serialization;

namespace Aisbx.Server;

/// <summary>An error as the REST API answers it: the rule that refused, and what to do.</summary>
public sealed record ErrorDocument(string Error, string? Rule);

public sealed record HealthDocument(string Status, int Running);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(ErrorDocument))]
[JsonSerializable(typeof(HealthDocument))]
internal sealed partial class ServerJsonContext : JsonSerializerContext;
