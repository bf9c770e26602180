using Aisbx.Core.Profiles;
using Aisbx.Core.Runs;
using Aisbx.Sandbox;
using Aisbx.Sandbox.Bubblewrap;
using Aisbx.Sandbox.Host;

namespace Aisbx.Cli.Commands;

/// <summary>Which of a profile's toolchain commands the sandbox would find, looked up exactly as a run looks them up.</summary>
internal static class ToolchainCheck
{
    public static IReadOnlyList<string> MissingTools(SandboxRunner runner, Profile profile)
    {
        var missing = new List<string>();
        foreach (var tool in profile.Toolchain)
        {
            var plan = runner.Plan(new RunRequest { Command = [tool], Profile = profile.Name }, "/tmp");
            if (CommandResolver.Resolve(plan, HostProbe.Probe) != CommandLookup.Found)
            {
                missing.Add(tool);
            }
        }

        return missing;
    }
}
