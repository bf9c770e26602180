namespace Aisbx.Core.Profiles;

public enum NetworkMode
{
    /// <summary>An empty network namespace with loopback only.</summary>
    None,

    /// <summary>The host's network namespace.</summary>
    Host,

    /// <summary>
    /// No network of its own; the sandbox reaches only the hosts of its <see cref="Egress.EgressPolicy"/>,
    /// through a proxy aisbx runs on the host.
    /// </summary>
    Allowlist,
}

public static class NetworkModeText
{
    /// <summary>The modes as a message lists them: <c>"none", "host" or "allowlist"</c>.</summary>
    public const string Choices = "\"none\", \"host\" or \"allowlist\"";

    public static string Format(NetworkMode mode) => mode switch
    {
        NetworkMode.Host => "host",
        NetworkMode.Allowlist => "allowlist",
        _ => "none",
    };

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
            case "allowlist":
                mode = NetworkMode.Allowlist;
                return true;
            default:
                mode = NetworkMode.None;
                return false;
        }
    }
}
