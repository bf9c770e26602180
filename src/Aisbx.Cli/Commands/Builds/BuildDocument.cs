using System.Text.Json.Serialization;
using Aisbx.Sandbox.Rootfs;

namespace Aisbx.Cli.Commands.Builds;

/// <summary>What <c>aisbx build --json</c> prints: one entry per profile asked for, and what a prune removed.</summary>
internal sealed record BuildDocument(IReadOnlyList<ProfileBuild> Builds, PruneDocument? Pruned);

/// <param name="State"><c>built</c>, <c>host</c> (nothing to build), <c>failed</c> or <c>interrupted</c>.</param>
/// <param name="Error">Why it failed, in one line; null when it did not.</param>
internal sealed record ProfileBuild(string Profile, string State, string Hash, long? SizeBytes, DateTimeOffset? BuiltAt, bool Cached, double TookMs, IReadOnlyList<string> Notes, string? Error)
{
    public static ProfileBuild Of(BuildOutcome outcome) => new(
        outcome.Tree.Profile, outcome.Tree.StateName, outcome.Tree.Hash, outcome.Tree.SizeBytes, outcome.Tree.BuiltAt, outcome.Cached,
        Math.Round(outcome.Took.TotalMilliseconds, 1), outcome.Notes, null);

    public static ProfileBuild Failed(string profile, string state, string error) => new(profile, state, "", null, null, false, 0, [], error);
}

internal sealed record PruneDocument(int Removed, long BytesFreed);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(BuildDocument))]
internal sealed partial class BuildJsonContext : JsonSerializerContext;
