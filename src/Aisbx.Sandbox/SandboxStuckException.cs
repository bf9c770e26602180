using System.Globalization;
using Aisbx.Core;

namespace Aisbx.Sandbox;

/// <summary>A sandbox that was killed and still had not exited after a grace period: aisbx stops waiting for it.</summary>
public sealed class SandboxStuckException(string sandboxId, TimeSpan grace) : AisbxException(
    $"sandbox {sandboxId} is stuck: it was killed and had not exited {grace.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s later " +
    "(a process in uninterruptible sleep, or a frozen cgroup). aisbx stopped waiting for it; check 'ps' for its processes")
{
    public string SandboxId { get; } = sandboxId;
}
