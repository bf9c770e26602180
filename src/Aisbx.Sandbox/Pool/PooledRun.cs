using Aisbx.Core.Runs;

namespace Aisbx.Sandbox.Pool;

/// <summary>A run in a sandbox of the warm pool, or why it could not have one (then nothing was started).</summary>
public readonly record struct PooledRun(RunResult? Result, string? MissReason)
{
    public static PooledRun Ran(RunResult result) => new(result, null);

    public static PooledRun Missed(string reason) => new(null, reason);
}
