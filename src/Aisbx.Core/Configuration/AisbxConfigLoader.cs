using System.Collections.Immutable;
using Aisbx.Core.Security;

namespace Aisbx.Core.Configuration;

/// <summary>
/// Finds the config directory (<c>--config DIR</c>, else <c>$AISBX_HOME</c>, else <c>~/.aisbx</c>) and reads its
/// optional <c>config.toml</c>.
/// </summary>
public static class AisbxConfigLoader
{
    public const string HomeVariable = "AISBX_HOME";

    public static ImmutableArray<string> DefaultWorkdirRoots { get; } = ["~", "/tmp", "/var/tmp"];

    public static AisbxConfig Load(string? configDirectoryOption)
    {
        var home = CallerHome();
        var directory = DirectoryFor(configDirectoryOption);

        var config = new AisbxConfig
        {
            ConfigDirectory = directory,
            CallerHome = home,
            WorkspaceBase = Path.Combine(Path.GetTempPath(), "aisbx-" + Environment.UserName),
            AllowedWorkdirRoots = DefaultWorkdirRoots,
            // Like AISBX_HOME: set by whoever starts aisbx (the test suite shares one store among its many configs).
            RootfsBuilds = RootfsSettings.Default with
            {
                Store = AbsoluteOrNull(Environment.GetEnvironmentVariable("AISBX_ROOTFS")),
                Cache = AbsoluteOrNull(Environment.GetEnvironmentVariable("AISBX_CACHE")),
            },
        };

        if (File.Exists(directory))
        {
            throw new ConfigurationException($"the config directory {directory} is a file: give a directory (--config DIR, or ${HomeVariable})");
        }

        var file = config.ConfigFile;
        if (Directory.Exists(file))
        {
            throw new ConfigurationException($"{file} is a directory: make it a file, or remove it to use the defaults");
        }

        return File.Exists(file) ? Apply(config, Read(file), file) : config;
    }

    private static string Read(string file)
    {
        try
        {
            return File.ReadAllText(file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException($"{file} cannot be read ({(ex is UnauthorizedAccessException ? "permission denied" : "an I/O error")}): let this user read it", ex);
        }
    }

    public static AisbxConfig Apply(AisbxConfig config, string text, string where)
    {
        var root = TomlSection.Parse(text, where);

        if (root.Table("sandbox") is { } sandbox)
        {
            config = config with
            {
                SandboxUid = Id(sandbox, "host_uid") ?? config.SandboxUid,
                SandboxGid = Id(sandbox, "host_gid") ?? config.SandboxGid,
            };
            sandbox.RejectUnknownKeys();
        }

        if (root.Table("workdir") is { } workdir)
        {
            if (workdir.StringList("allowed_roots") is { } roots)
            {
                foreach (var path in roots)
                {
                    if (!(path.StartsWith('/') || path == "~" || path.StartsWith("~/", StringComparison.Ordinal)))
                    {
                        throw workdir.Error($"allowed_roots entry '{path}' must be an absolute path or start with ~");
                    }
                }

                config = config with { AllowedWorkdirRoots = roots };
            }

            workdir.RejectUnknownKeys();
        }

        if (root.Table("requests") is { } requests)
        {
            var limits = config.RequestLimits;
            config = config with
            {
                RequestLimits = limits with
                {
                    MaxArgumentBytes = requests.Integer("max_argument_bytes") ?? limits.MaxArgumentBytes,
                    MaxEnvBytes = requests.Integer("max_env_bytes") ?? limits.MaxEnvBytes,
                    MaxStdinBytes = requests.Integer("max_stdin_bytes") ?? limits.MaxStdinBytes,
                    MaxFilesBytes = requests.Integer("max_files_bytes") ?? limits.MaxFilesBytes,
                },
            };
            requests.RejectUnknownKeys();
        }

        if (root.Table("security") is { } security)
        {
            config = config with { Lockout = ReadLockout(security, config.Lockout) };
            security.RejectUnknownKeys();
        }

        if (root.Table("secrets") is { } secrets)
        {
            config = config with { SecretsKeyFile = secrets.String("key_file") is { } keyFile ? config.ExpandHome(keyFile) : config.SecretsKeyFile };
            secrets.RejectUnknownKeys();
        }

        if (root.Table("server") is { } server)
        {
            config = config with { Server = ReadServer(server, config.Server, config) };
            server.RejectUnknownKeys();
        }

        if (root.Table("rootfs") is { } rootfs)
        {
            config = config with { RootfsBuilds = ReadRootfs(rootfs, config.RootfsBuilds, config) };
            rootfs.RejectUnknownKeys();
        }

        if (root.Table("sandboxes") is { } sandboxes)
        {
            config = config with { Sandboxes = ReadSandboxes(sandboxes, config.Sandboxes) };
            sandboxes.RejectUnknownKeys();
        }

        if (root.Table("pool") is { } pool)
        {
            config = config with { Pool = PoolSettingsParser.Read(pool, config.Pool) };
        }

        if (root.Table("egress") is { } egress)
        {
            config = config with { Egress = EgressSettingsParser.Read(egress, config.Egress) };
        }

        root.RejectUnknownKeys();
        return config;
    }

    private static RootfsSettings ReadRootfs(TomlSection section, RootfsSettings settings, AisbxConfig config) => settings with
    {
        Store = section.String("store") is { } store ? AbsoluteDirectory(section, "store", config.ExpandHome(store)) : settings.Store,
        Cache = section.String("cache") is { } cache ? AbsoluteDirectory(section, "cache", config.ExpandHome(cache)) : settings.Cache,
        BuildTimeout = section.Duration("build_timeout") ?? settings.BuildTimeout,
        MaxImageBytes = Bytes(section, "max_image_size") ?? settings.MaxImageBytes,
    };

    private static string? AbsoluteOrNull(string? path) => path is { Length: > 0 } && Path.IsPathFullyQualified(path) ? Path.GetFullPath(path) : null;

    private static string AbsoluteDirectory(TomlSection section, string key, string path) =>
        Path.IsPathFullyQualified(path) ? Path.GetFullPath(path) : throw section.Error($"{key} = \"{path}\" must be an absolute path (or start with ~/)");

    private static LiveSandboxSettings ReadSandboxes(TomlSection section, LiveSandboxSettings settings) => settings with
    {
        IdleTimeout = section.Duration("idle_timeout") ?? settings.IdleTimeout,
        MaxLifetime = section.Duration("max_lifetime") ?? settings.MaxLifetime,
        CpuTime = section.Duration("cpu_time") ?? settings.CpuTime,
        WorkspaceBytes = Bytes(section, "workspace_size") ?? settings.WorkspaceBytes,
        RingBytes = Bytes(section, "ring_size") ?? settings.RingBytes,
        MaxReadBytes = Bytes(section, "max_read") ?? settings.MaxReadBytes,
        MaxPerCaller = Positive(section, "max_per_caller") ?? settings.MaxPerCaller,
        MaxTotal = Positive(section, "max_total") ?? settings.MaxTotal,
        CreationsPerMinute = Positive(section, "creations_per_minute") ?? settings.CreationsPerMinute,
    };

    private static long? Bytes(TomlSection section, string key) =>
        section.String(key) is not { } text ? null
        : Units.ByteSize.TryParse(text, out var bytes) && bytes > 0 ? bytes
        : throw section.Error($"{key} = \"{text}\" is not a size: write e.g. \"256M\" or \"1G\"");

    private static ServerSettings ReadServer(TomlSection section, ServerSettings settings, AisbxConfig config) => settings with
    {
        RequestsPerMinute = Positive(section, "requests_per_minute") ?? settings.RequestsPerMinute,
        MaxRunning = Positive(section, "max_running") ?? settings.MaxRunning,
        MaxRunningPerKey = Positive(section, "max_running_per_key") ?? settings.MaxRunningPerKey,
        AuthFailuresBeforeLockout = Positive(section, "auth_failures_before_lockout") ?? settings.AuthFailuresBeforeLockout,
        AuthFailureWindow = section.Duration("auth_failure_window") ?? settings.AuthFailureWindow,
        AuthLockout = section.Duration("auth_lockout_for") ?? settings.AuthLockout,
        MetricsPublic = section.Boolean("metrics_public") ?? settings.MetricsPublic,
        TlsCertificate = section.String("tls_certificate") is { } cert ? config.ExpandHome(cert) : settings.TlsCertificate,
        TlsKey = section.String("tls_key") is { } key ? config.ExpandHome(key) : settings.TlsKey,
    };

    private static int? Positive(TomlSection section, string key)
    {
        var value = section.Integer(key);
        return value is null ? null
            : value is > 0 and <= 1_000_000 ? (int)value
            : throw section.Error($"{key} = {value} must be a whole number from 1 to 1000000");
    }

    private static LockoutPolicy ReadLockout(TomlSection section, LockoutPolicy policy)
    {
        var threshold = section.Integer("lockout_after");
        if (threshold is < 0 or > 1000)
        {
            throw section.Error($"lockout_after = {threshold} must be between 0 (no lockouts) and 1000");
        }

        var severity = section.String("lockout_severity");
        Severity minimum = default;
        if (severity is not null && !SeverityText.TryParse(severity, out minimum))
        {
            throw section.Error($"lockout_severity '{severity}' is not a severity; use \"low\", \"medium\", \"high\" or \"critical\"");
        }

        return policy with
        {
            Threshold = (int?)threshold ?? policy.Threshold,
            Window = section.Duration("lockout_window") ?? policy.Window,
            Duration = section.Duration("lockout_for") ?? policy.Duration,
            MinimumSeverity = severity is null ? policy.MinimumSeverity : minimum,
        };
    }

    private static int? Id(TomlSection section, string key)
    {
        var value = section.Integer(key);
        return value is null ? null
            : value is > 0 and <= int.MaxValue ? (int)value
            : throw section.Error($"{key} = {value} must be a uid/gid other than 0 (root)");
    }

    /// <summary>The config directory that <see cref="Load"/> would read, found without reading anything.</summary>
    public static string DirectoryFor(string? configDirectoryOption) => Path.GetFullPath(
        configDirectoryOption
        ?? NonEmpty(Environment.GetEnvironmentVariable(HomeVariable))
        ?? Path.Combine(CallerHome(), ".aisbx"));

    private static string CallerHome() =>
        NonEmpty(Environment.GetEnvironmentVariable("HOME"))
        ?? NonEmpty(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile))
        ?? "/";

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
