namespace Aisbx.Sandbox;

/// <summary>
/// Where a run's streams come from and go to when output is not captured. Every stream is copied through a pipe:
/// the program never receives one of the caller's own descriptors.
/// </summary>
public sealed record RunIo
{
    public static RunIo None { get; } = new();

    public Stream? Stdin { get; init; }

    public Stream? Stdout { get; init; }

    public Stream? Stderr { get; init; }

    /// <summary>Receives the run's security events as they happen: violations live, limit hits at the end.</summary>
    public Core.Security.ISecurityEventSink? Events { get; init; }
}
