namespace Aisbx.Core.Sandboxes;

/// <summary>
/// What a background process wrote since an offset, per stream. Each stream is kept in a ring of bounded size:
/// <see cref="Dropped"/> counts the bytes of stdout between the requested offset and the oldest byte still kept
/// (<see cref="StderrDropped"/> the same for stderr), so a client that comes back knows what it missed.
/// <see cref="Offset"/> and <see cref="StderrOffset"/> are where to read from next.
/// </summary>
public sealed record ProcessOutput
{
    public required int ProcessId { get; init; }

    public required bool Running { get; init; }

    public int? ExitCode { get; init; }

    public int? Signal { get; init; }

    public string Stdout { get; init; } = "";

    public string Stderr { get; init; } = "";

    public long Offset { get; init; }

    public long StderrOffset { get; init; }

    public long Dropped { get; init; }

    public long StderrDropped { get; init; }
}
