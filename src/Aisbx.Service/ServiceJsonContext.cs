using System.Text.Json.Serialization;
using Aisbx.Service.Events;

namespace Aisbx.Service;

/// <summary>Source-generated JSON for the service's documents, which every surface writes in the same shape.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(EventDocument))]
public sealed partial class ServiceJsonContext : JsonSerializerContext;
