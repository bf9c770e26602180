using System.CommandLine;
using Aisbx.Core.Configuration;
using Aisbx.Core.Profiles;
using Aisbx.Sandbox;

namespace Aisbx.Cli.Commands;

/// <summary>Loads the configuration and profiles named by <c>--config</c>.</summary>
internal static class CliConfig
{
    public static SandboxRunner Runner(ParseResult parseResult, Option<string?> configOption)
    {
        var config = AisbxConfigLoader.Load(parseResult.GetValue(configOption));
        return new SandboxRunner(config, new ProfileCatalog(config.ProfilesDirectory));
    }
}
