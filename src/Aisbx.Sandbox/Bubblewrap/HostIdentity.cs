namespace Aisbx.Sandbox.Bubblewrap;

/// <summary>The unprivileged host uid/gid that bubblewrap runs as when aisbx itself is root.</summary>
public sealed record HostIdentity(int Uid, int Gid);
