using Aisbx.Core.Configuration;
using Aisbx.Core.Profiles;

namespace Aisbx.Sandbox.Tests.Live;

/// <summary>Runners over the fixture's config with other <c>[sandboxes]</c> settings (short clocks, small caps).</summary>
internal static class LiveRunners
{
    public static SandboxRunner With(SandboxFixture sandbox, Func<LiveSandboxSettings, LiveSandboxSettings> change) =>
        new(sandbox.Config with { Sandboxes = change(sandbox.Config.Sandboxes) }, new ProfileCatalog(sandbox.Config.ProfilesDirectory));
}
