using Aisbx.Core.Profiles;

namespace Aisbx.Sandbox.Launch;

/// <summary>One rlimit as setrlimit(2) takes it.</summary>
public readonly record struct Rlimit(int Resource, ulong Soft, ulong Hard);

/// <summary>
/// The rlimit floor of every process of a sandbox: file size and open files exactly; CPU time in whole seconds per
/// process (SIGXCPU at the soft limit, SIGKILL a second later); no core dumps. Memory and processes need the
/// sandbox's cgroup, not an rlimit. They travel in the launcher's payload, and the launcher sets them on itself
/// just before it execs the program (or, as a live sandbox's agent, before it starts any), so everything the
/// sandbox runs inherits them: no prlimit exec before bubblewrap, whose own processes do not run the program.
/// </summary>
public static class SandboxRlimits
{
    internal const int RLIMIT_CPU = 0;
    internal const int RLIMIT_FSIZE = 1;
    internal const int RLIMIT_CORE = 4;
    internal const int RLIMIT_NOFILE = 7;

    public static IReadOnlyList<Rlimit> For(ResourceLimits limits)
    {
        var cpuSeconds = (ulong)Math.Ceiling(limits.CpuTime.TotalSeconds);
        return
        [
            new(RLIMIT_FSIZE, (ulong)limits.FileSizeBytes, (ulong)limits.FileSizeBytes),
            new(RLIMIT_NOFILE, (ulong)limits.OpenFiles, (ulong)limits.OpenFiles),
            new(RLIMIT_CPU, cpuSeconds, cpuSeconds + 1),
            new(RLIMIT_CORE, 0, 0),
        ];
    }
}
