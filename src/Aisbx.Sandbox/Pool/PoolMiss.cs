using Aisbx.Core.Runs;

namespace Aisbx.Sandbox.Pool;

/// <summary>Why a one-shot run did not get a sandbox of the warm pool (the <c>reason</c> of <c>aisbx_pool_misses_total</c>).</summary>
public static class PoolMiss
{
    /// <summary>A caller's workdir: a pooled sandbox's /workspace is a fresh directory made ahead.</summary>
    public const string Workdir = "workdir";

    /// <summary>Secrets: their values are redacted from the output of a run that goes the usual way.</summary>
    public const string Secrets = "secrets";

    /// <summary>A network other than the profile's own, or an allowlist (its proxy is the request's).</summary>
    public const string Network = "network";

    /// <summary>Output passed through rather than captured, with no streams a pooled sandbox can take (a server's run).</summary>
    public const string Streaming = "streaming";

    /// <summary>The pool is off for this profile (<c>[pool] size = 0</c>).</summary>
    public const string Disabled = "disabled";

    /// <summary>None was waiting: the profile's first run in a while, or runs came faster than the pool refills.</summary>
    public const string Empty = "empty";

    /// <summary>The waiting sandbox was started on an older build of the profile's tree: it was closed instead.</summary>
    public const string Stale = "stale";

    public static IReadOnlyList<string> All { get; } = [Workdir, Secrets, Network, Streaming, Disabled, Empty, Stale];

    /// <summary>What keeps a request out of the pool before anything is looked up, or null.</summary>
    internal static string? Before(RunRequest request, RunIo io) =>
        request.Workdir is not null ? Workdir
        : !request.Secrets.IsEmpty ? Secrets
        : request.AllowHosts is not null ? Network
        : !request.CaptureOutput && (io.Stdout is null || io.Stderr is null || io.Stdin is not null) ? Streaming
        : null;
}
