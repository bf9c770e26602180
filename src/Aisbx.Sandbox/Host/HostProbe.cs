namespace Aisbx.Sandbox.Host;

/// <summary>Whether a host path is there, and whether it can be executed (a directory cannot).</summary>
public static class HostProbe
{
    private const UnixFileMode AnyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    public static (bool Exists, bool Executable) Probe(string hostPath) =>
        Directory.Exists(hostPath) ? (true, false)
        : File.Exists(hostPath) ? (true, (File.GetUnixFileMode(hostPath) & AnyExecute) != 0)
        : (false, false);
}
