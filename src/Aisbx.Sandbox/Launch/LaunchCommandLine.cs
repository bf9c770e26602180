using System.Globalization;
using Aisbx.Sandbox.Bubblewrap;
using Aisbx.Sandbox.Host;

namespace Aisbx.Sandbox.Launch;

/// <summary>The whole command that starts a sandbox, from the first program spawned down to bubblewrap.</summary>
public static class LaunchCommandLine
{
    /// <summary>
    /// The argument vector aisbx spawns: bubblewrap itself. A root aisbx starts it as the plan's unprivileged uid
    /// (<see cref="UnprivilegedSpawnScope"/>); the rlimits are the launcher's to set (<see cref="SandboxRlimits"/>).
    /// </summary>
    public static (string Executable, List<string> Argv) Build(BwrapInvocation invocation)
    {
        List<string> argv = [HostTools.Bwrap, .. invocation.Arguments];
        return (argv[0], argv);
    }

    /// <summary>
    /// The same start for a shell, which cannot change its ids the way aisbx does: setpriv leaves root first (the
    /// same ids, no supplementary groups, no capabilities), then bubblewrap.
    /// </summary>
    public static List<string> ForShell(LaunchPlan plan, BwrapInvocation invocation)
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

        argv.AddRange(Build(invocation).Argv);
        return argv;
    }
}
