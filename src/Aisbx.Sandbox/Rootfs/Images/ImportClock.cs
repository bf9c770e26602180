namespace Aisbx.Sandbox.Rootfs.Images;

/// <summary>One timeout for the whole import ([rootfs] build_timeout), shared by the tools it runs one after another.</summary>
internal sealed class ImportClock(TimeSpan timeout)
{
    private readonly DateTime _deadline = DateTime.UtcNow + timeout;

    /// <summary>The time left, at least a moment, so that a tool started late still fails as a timeout and not at once.</summary>
    public TimeSpan Left => TimeSpan.FromTicks(Math.Max((_deadline - DateTime.UtcNow).Ticks, TimeSpan.FromMilliseconds(1).Ticks));
}
