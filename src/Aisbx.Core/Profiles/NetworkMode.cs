namespace Aisbx.Core.Profiles;

public enum NetworkMode
{
    /// <summary>An empty network namespace with loopback only.</summary>
    None,

    /// <summary>The host's network namespace.</summary>
    Host,
}

public static class NetworkModeText
{
    public static string Format(NetworkMode mode) => mode == NetworkMode.Host ? "host" : "none";

    public static bool TryParse(string? text, out NetworkMode mode)
    {
        switch (text)
        {
            case "none":
                mode = NetworkMode.None;
                return true;
            case "host":
                mode = NetworkMode.Host;
                return true;
            default:
                mode = NetworkMode.None;
                return false;
        }
    }
}
