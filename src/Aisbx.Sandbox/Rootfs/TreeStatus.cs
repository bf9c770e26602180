namespace Aisbx.Sandbox.Rootfs;

public enum TreeState
{
    /// <summary>The profile runs on the host's /usr: nothing to build.</summary>
    Host,

    /// <summary>Built from exactly the profile's current inputs.</summary>
    Built,

    /// <summary>Never built here.</summary>
    Missing,

    /// <summary>Built, but the profile's inputs changed since (the packages, the image, the suite...).</summary>
    Stale,
}

/// <summary>What <c>profile list</c>, <c>doctor</c> and a build report say about a profile's tree.</summary>
/// <param name="Hash">The hash of the profile's current inputs (what a build would make); empty for the host.</param>
/// <param name="BuiltAt">When the tree in use (or, when stale, the last one built) was made.</param>
public sealed record TreeStatus(string Profile, TreeState State, string Hash, DateTimeOffset? BuiltAt, long? SizeBytes, string Rootfs)
{
    public string StateName => State.ToString().ToLowerInvariant();

    /// <summary>One line: <c>built 2026-12-02 01:10 UTC, 175 MiB, 3f2a…</c>, <c>missing: run aisbx build --profile go-dev</c>.</summary>
    public string Describe() => State switch
    {
        TreeState.Host => "host /usr",
        TreeState.Built => $"built {BuiltAt:yyyy-MM-dd HH:mm} UTC, {Aisbx.Core.Units.ByteCount.Human(SizeBytes ?? 0)}, {Hash[..12]}",
        TreeState.Stale => $"stale (its inputs changed since the build of {BuiltAt:yyyy-MM-dd HH:mm} UTC): run aisbx build --profile {Profile}",
        _ => $"missing: run aisbx build --profile {Profile}",
    };
}
