using System.Diagnostics;
using Aisbx.Sandbox.Limits;

namespace Aisbx.Sandbox.Launch;

/// <summary>
/// The CPU-time limit across all of a sandbox's processes, read from its cgroup (the per-process rlimit cannot
/// see a program that spreads its work over many processes). Nothing is read before the sandbox could have used
/// its whole allowance on every core at once; after that, every 100 ms.
/// </summary>
internal sealed class CpuTimeWatch(SandboxCgroup cgroup, TimeSpan limit, long startedTimestamp)
{
    private static readonly long Interval = Stopwatch.Frequency / 10;

    private long _next = startedTimestamp + (long)(limit.TotalSeconds / Environment.ProcessorCount * Stopwatch.Frequency);

    /// <summary>The timestamp at which the supervision loop should wake up for the next reading.</summary>
    public long NextCheck => _next;

    public bool LimitHit { get; private set; }

    /// <returns>True when the sandbox has used up its CPU time and must end.</returns>
    public bool Check(long now)
    {
        if (LimitHit || now < _next)
        {
            return false;
        }

        _next = now + Interval;
        if (cgroup.CpuUsage is { } used && used >= limit)
        {
            LimitHit = true;
        }

        return LimitHit;
    }
}
