using System.Globalization;
using Aisbx.Core.Profiles;
using Aisbx.Sandbox.Bubblewrap;
using Aisbx.Sandbox.Host;

namespace Aisbx.Sandbox.Launch;

/// <summary>The whole command that starts a sandbox, from the first program spawned down to bubblewrap.</summary>
public static class LaunchCommandLine
{
    /// <summary>
    /// The argument vector to spawn: setpriv dropping root first (when aisbx is root), then prlimit setting the
    /// rlimits every process of the sandbox inherits, then bubblewrap.
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

        argv.Add(HostTools.Prlimit);
        argv.AddRange(RlimitArguments(plan.Limits));
        argv.Add("--");
        argv.Add(HostTools.Bwrap);
        argv.AddRange(invocation.Arguments);
        return (argv[0], argv);
    }

    /// <summary>
    /// The rlimit floor: file size and open files exactly; CPU time in whole seconds per process (SIGXCPU at the
    /// soft limit, SIGKILL a second later). Memory and processes need the sandbox's cgroup, not an rlimit.
    /// </summary>
    public static IEnumerable<string> RlimitArguments(ResourceLimits limits)
    {
        var cpuSeconds = (long)Math.Ceiling(limits.CpuTime.TotalSeconds);
        yield return "--fsize=" + limits.FileSizeBytes.ToString(CultureInfo.InvariantCulture);
        yield return "--nofile=" + limits.OpenFiles.ToString(CultureInfo.InvariantCulture);
        yield return $"--cpu={cpuSeconds.ToString(CultureInfo.InvariantCulture)}:{(cpuSeconds + 1).ToString(CultureInfo.InvariantCulture)}";
        yield return "--core=0";
    }
}
