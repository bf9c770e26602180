using System.Collections.Immutable;

namespace Aisbx.Core.Configuration;

/// <summary>The host's aisbx settings: where its files live, who sandboxes run as, and what callers may ask for.</summary>
public sealed record AisbxConfig
{
    /// <summary>Unprivileged host uid/gid that sandboxes run under when aisbx itself runs as root.</summary>
    public const int DefaultSandboxId = 65532;

    public const string ConfigFileName = "config.toml";

    public required string ConfigDirectory { get; init; }

    /// <summary>The home of the user running aisbx; <c>~</c> in settings and profile mounts means this.</summary>
    public required string CallerHome { get; init; }

    /// <summary>Where fresh workspaces are made; never mountable as a workdir.</summary>
    public required string WorkspaceBase { get; init; }

    public int SandboxUid { get; init; } = DefaultSandboxId;

    public int SandboxGid { get; init; } = DefaultSandboxId;

    /// <summary>A workdir must lie strictly inside one of these (after symlinks are resolved).</summary>
    public ImmutableArray<string> AllowedWorkdirRoots { get; init; } = [];

    public RequestSizeLimits RequestLimits { get; init; } = RequestSizeLimits.Default;

    /// <summary>When a caller's runs are refused after repeated high-severity events (<c>[security]</c>).</summary>
    public Security.LockoutPolicy Lockout { get; init; } = Security.LockoutPolicy.Default;

    public ServerSettings Server { get; init; } = ServerSettings.Default;

    public LiveSandboxSettings Sandboxes { get; init; } = LiveSandboxSettings.Default;

    /// <summary>The server's warm pool of started sandboxes, for one-shot runs.</summary>
    public PoolSettings Pool { get; init; } = PoolSettings.Default;

    public RootfsSettings RootfsBuilds { get; init; } = RootfsSettings.Default;

    /// <summary>Hosts granted per API key, and the egress proxy's settings (<c>[egress]</c>).</summary>
    public EgressSettings Egress { get; init; } = EgressSettings.Default;

    /// <summary>Built trees (<c>aisbx build</c>), each under the hash of its inputs.</summary>
    public string RootfsStore => RootfsBuilds.Store ?? Path.Combine(ConfigDirectory, "rootfs");

    /// <summary>Downloads kept between builds (the apt cache).</summary>
    public string CacheDirectory => RootfsBuilds.Cache ?? Path.Combine(ConfigDirectory, "cache");

    /// <summary>The encrypted secrets store.</summary>
    public string SecretsFile => Path.Combine(ConfigDirectory, "secrets.json");

    /// <summary>A file holding the master passphrase (<c>[secrets] key_file</c>), when not in the environment.</summary>
    public string? SecretsKeyFile { get; init; }

    /// <summary>The hash-chained audit log.</summary>
    public string AuditDirectory => Path.Combine(ConfigDirectory, "audit");

    /// <summary>API keys: names, scopes and hashes, never the keys.</summary>
    public string KeysFile => Path.Combine(ConfigDirectory, "keys.json");

    /// <summary>State aisbx keeps between runs (lockouts).</summary>
    public string StateDirectory => Path.Combine(ConfigDirectory, "state");

    public string ProfilesDirectory => Path.Combine(ConfigDirectory, "profiles");

    public string ConfigFile => Path.Combine(ConfigDirectory, ConfigFileName);

    /// <summary>Expands a leading <c>~</c> to <see cref="CallerHome"/>.</summary>
    public string ExpandHome(string path) =>
        path == "~" ? CallerHome
        : path.StartsWith("~/", StringComparison.Ordinal) ? Path.Combine(CallerHome, path[2..])
        : path;
}
