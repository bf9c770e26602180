namespace Aisbx.Core.Profiles;

/// <summary>The limits a profile allows. A run may lower any of them, never raise it.</summary>
public sealed record ResourceLimits
{
    public static ResourceLimits Default { get; } = new();

    public TimeSpan WallTime { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan CpuTime { get; init; } = TimeSpan.FromSeconds(30);

    public long MemoryBytes { get; init; } = 512L << 20;

    public int Pids { get; init; } = 128;

    public long FileSizeBytes { get; init; } = 256L << 20;

    public int OpenFiles { get; init; } = 256;

    public long TmpSizeBytes { get; init; } = 64L << 20;

    /// <summary>A live sandbox's idle timeout under this profile; null for the server's (<c>[sandboxes]</c>).</summary>
    public TimeSpan? IdleTimeout { get; init; }

    /// <summary>A live sandbox's maximum lifetime under this profile; null for the server's.</summary>
    public TimeSpan? MaxLifetime { get; init; }

    /// <summary>Bytes kept of each of stdout and stderr when output is captured.</summary>
    public long OutputBytes { get; init; } = 1L << 20;
}
