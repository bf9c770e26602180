using System.Text.Json.Serialization;

namespace Aisbx.Sandbox.Rootfs;

/// <summary>What the store knows of a built tree (<c>&lt;hash&gt;/tree.json</c>, and a profile's pointer to it).</summary>
public sealed record TreeRecord(string Hash, string Profile, DateTimeOffset BuiltAt, long SizeBytes, string Inputs);

[JsonSerializable(typeof(TreeRecord))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
internal sealed partial class RootfsJsonContext : JsonSerializerContext;
