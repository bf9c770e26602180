using System.Text.Json.Serialization;
using Aisbx.Service.Builds;
using Aisbx.Service.Events;
using Aisbx.Service.Profiles;

namespace Aisbx.Service;

/// <summary>Source-generated JSON for the service's documents, which every surface writes in the same shape.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(EventDocument))]
[JsonSerializable(typeof(BuildReport))]
[JsonSerializable(typeof(BuildJobStatus))]
[JsonSerializable(typeof(ProfileListing))]
public sealed partial class ServiceJsonContext : JsonSerializerContext;
