namespace Aisbx.Sandbox;

/// <summary>
/// Where a run's streams come from and go to when output is not captured. Every stream is copied through a pipe:
/// the program never receives one of the caller's own descriptors.
/// </summary>
public sealed record RunIo
{
    public static RunIo None { get; } = new();

    public Stream? Stdin { get; init; }

    /// <summary>
    /// Instead of <see cref="Stdin"/>: the read end of a pipe that another aisbx process feeds from its caller's stdin
    /// (the resident server's client), handed to the program as it is. Never a caller's own descriptor.
    /// </summary>
    public Microsoft.Win32.SafeHandles.SafeFileHandle? StdinPipe { get; init; }

    public Stream? Stdout { get; init; }

    public Stream? Stderr { get; init; }

    /// <summary>
    /// Called when a pooled run has its sandbox, before the program starts: from then on the run happens there or
    /// fails, and is never to be tried elsewhere (the resident server's client starts feeding stdin only then).
    /// </summary>
    public Action? Accepted { get; init; }

    /// <summary>Receives the run's security events as they happen: violations live, limit hits at the end.</summary>
    public Core.Security.ISecurityEventSink? Events { get; init; }
}
