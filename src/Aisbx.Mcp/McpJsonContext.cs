using System.Text.Json.Serialization;

namespace Aisbx.Mcp;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(BuildReport))]
[JsonSerializable(typeof(ProfileListing))]
internal sealed partial class McpJsonContext : JsonSerializerContext;
