namespace Aisbx.Core.Configuration;

/// <summary>The HTTP server's controls (<c>[server]</c> in config.toml).</summary>
public sealed record ServerSettings
{
    public static ServerSettings Default { get; } = new();

    /// <summary>Requests per key (or per address, without keys) per minute; over it, 429 with Retry-After.</summary>
    public int RequestsPerMinute { get; init; } = 100;

    /// <summary>Sandboxes running at once, in all; more wait in a short queue, then are refused.</summary>
    public int MaxRunning { get; init; } = 8;

    /// <summary>Sandboxes running at once for one key.</summary>
    public int MaxRunningPerKey { get; init; } = 4;

    /// <summary>Authentication failures from one address, within <see cref="AuthFailureWindow"/>, that lock it out.</summary>
    public int AuthFailuresBeforeLockout { get; init; } = 10;

    public TimeSpan AuthFailureWindow { get; init; } = TimeSpan.FromMinutes(1);

    public TimeSpan AuthLockout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Whether /metrics may be read without a key (default: any valid key with the metrics scope).</summary>
    public bool MetricsPublic { get; init; }

    /// <summary>PEM certificate and key: when set, the server speaks TLS only, and sends HSTS.</summary>
    public string? TlsCertificate { get; init; }

    public string? TlsKey { get; init; }
}
