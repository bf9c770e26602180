using System.Diagnostics;
using Aisbx.Core.Profiles;
using Aisbx.Sandbox.Host;
using Aisbx.Sandbox.Launch;

namespace Aisbx.Sandbox.Live;

/// <summary>A sandbox of the warm pool: started ahead with a fresh host workspace, then handed to exactly one run.</summary>
public sealed partial class LiveSandbox
{
    /// <summary>The lease its maker took to create its workspace; null: the sandbox's thread takes its own.</summary>
    internal SandboxLease? Lease { get; init; }

    /// <summary>The fresh host directory behind /workspace, as a one-shot run's (removed with <see cref="Holds"/>); null for a tmpfs.</summary>
    internal Workspace? HostWorkspace { get; init; }

    /// <summary>What the sandbox was started for, to tell at hand-out whether it still matches the request.</summary>
    internal Bubblewrap.LaunchPlan Plan => _plan;

    /// <summary>
    /// Gives a waiting sandbox to its one run, before the run's exec is posted (which orders these writes before
    /// anything the sandbox's thread reads): its events go to the run's caller from now on, and its limits are the
    /// run's (never above the profile's it started with), the cgroup lowered to them now. Nothing ran in it before.
    /// </summary>
    internal void HandOut(RunEvents events, ResourceLimits limits)
    {
        _cgroup?.Lower(limits);
        _events = events;
        _limits = limits;
        if (_cgroup is { CountsCpu: true } cgroup)
        {
            // The clock starts now, and what starting the sandbox cost is not the run's to pay.
            _cpuWatch = new CpuTimeWatch(cgroup, limits.CpuTime + (cgroup.CpuUsage ?? TimeSpan.Zero), Stopwatch.GetTimestamp());
        }

        Touch();
    }
}
