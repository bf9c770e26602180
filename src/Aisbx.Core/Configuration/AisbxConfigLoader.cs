using System.Collections.Immutable;

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
        var directory = configDirectoryOption
            ?? NonEmpty(Environment.GetEnvironmentVariable(HomeVariable))
            ?? Path.Combine(home, ".aisbx");
        directory = Path.GetFullPath(directory);

        var config = new AisbxConfig
        {
            ConfigDirectory = directory,
            CallerHome = home,
            WorkspaceBase = Path.Combine(Path.GetTempPath(), "aisbx-" + Environment.UserName),
            AllowedWorkdirRoots = DefaultWorkdirRoots,
        };

        var file = config.ConfigFile;
        return File.Exists(file) ? Apply(config, File.ReadAllText(file), file) : config;
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
                },
            };
            requests.RejectUnknownKeys();
        }

        root.RejectUnknownKeys();
        return config;
    }

    private static int? Id(TomlSection section, string key)
    {
        var value = section.Integer(key);
        return value is null ? null
            : value is > 0 and <= int.MaxValue ? (int)value
            : throw section.Error($"{key} = {value} must be a uid/gid other than 0 (root)");
    }

    private static string CallerHome() =>
        NonEmpty(Environment.GetEnvironmentVariable("HOME"))
        ?? NonEmpty(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile))
        ?? "/";

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
