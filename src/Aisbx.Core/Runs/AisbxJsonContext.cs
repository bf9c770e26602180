using System.Text.Json.Serialization;

namespace Aisbx.Core.Runs;

/// <summary>Source-generated JSON for every document aisbx prints, so that no reflection runs on the hot path.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(RunResult))]
[JsonSerializable(typeof(Sandboxes.SandboxCreated))]
[JsonSerializable(typeof(Sandboxes.SandboxStatus))]
[JsonSerializable(typeof(Sandboxes.ProcessOutput))]
[JsonSerializable(typeof(Sandboxes.FileListing))]
[JsonSerializable(typeof(Sandboxes.SandboxList))]
[JsonSerializable(typeof(Sandboxes.BackgroundStarted))]
public sealed partial class AisbxJsonContext : JsonSerializerContext;
