namespace Aisbx.Sandbox.Limits;

/// <summary>
/// Pays the kernel's grace period for cgroup migrations ahead, off the run's path. Every write to cgroup.procs
/// takes cgroup_threadgroup_rwsem for writing, and the first one after a quiet spell waits an RCU grace period
/// (rcu_sync_enter: 8-25 ms on this 250 Hz host) before it switches the lock to its slow mode; writes in the next
/// grace period or so find it there and take 0.05-0.3 ms. So a run starts, at once on a thread of its own, a
/// no-op migration: aisbx's own pid written into the cgroup it already is in, and again every few milliseconds
/// (cheap once warm) until the sandbox's init is placed (<see cref="Stop"/>), so that the placement finds the lock
/// warm however long the run took to get there (a single write warmed it for one grace period only). The lock is taken before the kernel checks the write, so even a
/// refused write (cgroup v2's no-internal-processes rule) warms it; cgroup v2 mounted with favordynmods keeps the
/// lock slow anyway, and the write is then just cheap. Without a writable hierarchy (not root), nothing is done.
/// Only cgroup v1 was measured (this host); the v2 path follows the same kernel code.
/// </summary>
public static class CgroupMigrationWarmUp
{
    /// <summary>Shorter than a grace period (two ticks at least), so that the lock never falls back in between.</summary>
    private static readonly TimeSpan KeepWarmEvery = TimeSpan.FromMilliseconds(4);

    private const int GiveUpAfterMs = 2000;

    private static readonly ManualResetEventSlim Placed = new(false);

    /// <summary>The sandbox is in its cgroup: the lock need not be kept warm any longer (a no-op when never started).</summary>
    public static void Stop() => Placed.Set();

    public static void Start()
    {
        if (!Host.SandboxIdentity.CallerIsRoot)
        {
            return;
        }

        var thread = new Thread(KeepWarm) { IsBackground = true, Name = "aisbx cgroup warm-up" };
        thread.UnsafeStart();
    }

    private static void KeepWarm()
    {
        try
        {
            if (OwnProcsFile(CgroupHost.Mode) is not { } procs)
            {
                return;
            }

            var pid = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var giveUp = Environment.TickCount64 + GiveUpAfterMs;
            do
            {
                File.WriteAllText(procs, pid);
            }
            while (!Placed.Wait(KeepWarmEvery) && Environment.TickCount64 < giveUp);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Only a head start: the placement pays the grace period itself, as it did without one.
        }
    }

    /// <summary>The cgroup.procs of the group this process is in, in the hierarchy sandboxes are placed in.</summary>
    private static string? OwnProcsFile(CgroupMode mode)
    {
        foreach (var line in File.ReadLines("/proc/self/cgroup"))
        {
            // "ID:CONTROLLERS:PATH": v1's pids hierarchy (every sandbox is placed in it), or v2's "0::PATH".
            var parts = line.Split(':', 3);
            if (parts.Length == 3 && ((mode == CgroupMode.V1 && parts[1] == "pids") || (mode == CgroupMode.V2 && parts[0] == "0" && parts[1].Length == 0)))
            {
                var root = mode == CgroupMode.V1 ? Path.Combine(CgroupHost.Root, "pids") : CgroupHost.Root;
                return Path.Join(root, parts[2], "cgroup.procs");
            }
        }

        return null;
    }
}
