using System.CommandLine;
using Aisbx.Core.Configuration;
using Aisbx.Core.Profiles;
using Aisbx.Core.Security;
using Aisbx.Sandbox;

namespace Aisbx.Cli.Commands;

/// <summary>Loads the configuration and profiles named by <c>--config</c>.</summary>
internal static class CliConfig
{
    /// <summary>The CLI's caller is the local user: its lockout holds across runs, in the config directory.</summary>
    public static string Caller => "local:" + Environment.UserName;

    public static AisbxConfig Load(ParseResult parseResult, Option<string?> configOption) =>
        AisbxConfigLoader.Load(parseResult.GetValue(configOption));

    public static SandboxRunner Runner(ParseResult parseResult, Option<string?> configOption)
    {
        var config = Load(parseResult, configOption);
        return new SandboxRunner(config, new ProfileCatalog(config.ProfilesDirectory), Lockout(config), new Core.Secrets.ConfigSecretSource(config));
    }

    public static CallerLockout Lockout(AisbxConfig config) =>
        new(config.Lockout, new FileLockoutStore(Path.Combine(config.StateDirectory, "lockouts.json")), TimeProvider.System);
}
