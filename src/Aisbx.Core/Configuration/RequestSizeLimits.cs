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

    /// <summary>Bytes of the files a request places in its fresh workspace, all together.</summary>
    public long MaxFilesBytes { get; init; } = 16L << 20;

    /// <summary>How many files a request may place.</summary>
    public int MaxFiles { get; init; } = 1000;
}
