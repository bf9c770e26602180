namespace Aisbx.Core.Configuration;

/// <summary>Caps on what a caller may hand to one run, checked before launch.</summary>
public sealed record RequestSizeLimits
{
    public static RequestSizeLimits Default { get; } = new();

    /// <summary>Bytes of the command and its arguments together.</summary>
    public long MaxArgumentBytes { get; init; } = 256L << 10;

    /// <summary>Bytes of the request's own environment variables (names and values).</summary>
    public long MaxEnvBytes { get; init; } = 64L << 10;

    /// <summary>Bytes of standard input passed to the program.</summary>
    public long MaxStdinBytes { get; init; } = 16L << 20;
}
