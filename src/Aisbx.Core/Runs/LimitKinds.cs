namespace Aisbx.Core.Runs;

/// <summary>The names a <see cref="LimitHit"/> carries, one per resource limit a run can reach.</summary>
public static class LimitKinds
{
    public const string WallTime = "wall-time";
    public const string CpuTime = "cpu-time";
    public const string Memory = "memory";
    public const string Pids = "pids";
    public const string FileSize = "file-size";
    public const string Output = "output";
    public const string Stdin = "stdin";

    public static IReadOnlyList<string> All { get; } = [WallTime, CpuTime, Memory, Pids, FileSize, Output, Stdin];
}
