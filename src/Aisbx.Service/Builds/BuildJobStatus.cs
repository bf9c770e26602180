namespace Aisbx.Service.Builds;

/// <summary>
/// A build job as <c>POST /v1/builds</c> and <c>GET /v1/builds/{id}</c> answer it: its state, where it is, the last
/// lines of the builder's output, and, once it has ended, the report or the one-line error with its rule.
/// </summary>
/// <param name="Joined">This caller asked for a build of a profile already being built, and joined that job.</param>
public sealed record BuildJobStatus(
    string Id,
    string Profile,
    string State,
    bool Force,
    bool Joined,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt,
    BuildJobProgress Progress,
    IReadOnlyList<string> Log,
    BuildReport? Outcome,
    string? Error,
    string? Rule);

/// <summary>The build's phase, packages done of those known so far (0 of 0 while unknown), and bytes fetched or unpacked.</summary>
public sealed record BuildJobProgress(string Phase, int Done, int Total, long Bytes);
