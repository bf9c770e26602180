namespace Aisbx.Sandbox.Rootfs;

/// <summary>
/// Where a build is: its phase (e.g. <c>downloading</c>), packages done of those known so far, bytes fetched or
/// unpacked, and the builder's last line of output. Totals are 0 while unknown.
/// </summary>
public sealed record BuildProgress(string Phase, int Done, int Total, long Bytes, string? Line)
{
    public static BuildProgress Starting(string phase) => new(phase, 0, 0, 0, null);
}
