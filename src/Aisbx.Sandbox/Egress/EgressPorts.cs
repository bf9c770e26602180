using System.Collections.Immutable;

namespace Aisbx.Sandbox.Egress;

/// <summary>Where a sandbox with an allowlist finds its proxy, and the variables that tell its tools so.</summary>
public static class EgressPorts
{
    public const int Http = 3128;
    public const int Socks = 1080;

    /// <summary>In the order the launcher opens them and hands them over.</summary>
    public static readonly ImmutableArray<int> All = [Http, Socks];

    /// <summary>
    /// pip, npm, curl, git, cargo and go read these (some only the lower case, some only the upper); a program's
    /// own servers on loopback stay direct.
    /// </summary>
    public static readonly ImmutableArray<KeyValuePair<string, string>> Environment =
    [
        .. Both("HTTP_PROXY", $"http://127.0.0.1:{Http}"),
        .. Both("HTTPS_PROXY", $"http://127.0.0.1:{Http}"),
        .. Both("ALL_PROXY", $"socks5h://127.0.0.1:{Socks}"),
        .. Both("NO_PROXY", "localhost,127.0.0.1,::1"),
    ];

    private static KeyValuePair<string, string>[] Both(string name, string value) =>
        [new(name, value), new(name.ToLowerInvariant(), value)];
}
