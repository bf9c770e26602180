using System.Globalization;
using Aisbx.Sandbox.Bubblewrap;
using Aisbx.Sandbox.Host;

namespace Aisbx.Sandbox.Launch;

/// <summary>The whole command that starts a sandbox, from the first program spawned down to bubblewrap.</summary>
public static class LaunchCommandLine
{
    /// <summary>
    /// The argument vector to spawn: setpriv dropping root first (when aisbx is root), then bubblewrap. The rlimits
    /// are the launcher's to set (<see cref="SandboxRlimits"/>).
    /// </summary>
    public static (string Executable, List<string> Argv) Build(LaunchPlan plan, BwrapInvocation invocation)
    {
        List<string> argv = [];
        if (plan.RunAs is { } identity)
        {
            argv.AddRange(
                HostTools.Setpriv,
                "--reuid=" + identity.Uid.ToString(CultureInfo.InvariantCulture),
                "--regid=" + identity.Gid.ToString(CultureInfo.InvariantCulture),
                "--clear-groups", "--inh-caps=-all", "--bounding-set=-all", "--");
        }

        argv.Add(HostTools.Bwrap);
        argv.AddRange(invocation.Arguments);
        return (argv[0], argv);
    }
}
