using System.Collections.Immutable;
using System.Globalization;

namespace Aisbx.Core.Egress;

/// <summary>
/// Which hosts a sandbox in network mode allowlist may reach, by name and port, and how much it may use.
/// Where the name leads (the addresses it resolves to) is the proxy's check, not this one.
/// </summary>
/// <param name="Allow">The entries a connection must fall under.</param>
/// <param name="Deny">Entries refused even when an allow entry covers them; an entry without a port denies every port.</param>
/// <param name="MaxConnections">Connections the sandbox may open over its life.</param>
/// <param name="MaxBytes">Bytes the sandbox may move through the proxy, both directions together.</param>
public sealed record EgressPolicy(ImmutableArray<HostPattern> Allow, ImmutableArray<HostPattern> Deny, int MaxConnections, long MaxBytes)
{
    public const int DefaultMaxConnections = 1024;

    public const long DefaultMaxBytes = 4L * 1024 * 1024 * 1024;

    /// <summary>Nothing allowed, the default caps.</summary>
    public static readonly EgressPolicy None = new([], [], DefaultMaxConnections, DefaultMaxBytes);

    /// <summary>Whether a connection to <paramref name="host"/> on <paramref name="port"/> may be made.</summary>
    /// <returns>Null when the name and port are allowed; else why not. A deny entry wins over every allow entry.</returns>
    public EgressRefusal? Decide(string host, int port)
    {
        var target = HostPatternGrammar.TryNormalizeHost(host, out var normalized)
            ? $"{Bracketed(normalized)}:{port.ToString(CultureInfo.InvariantCulture)}"
            : "the requested host";
        if (normalized.Length == 0)
        {
            return new EgressRefusal(EgressRefusal.HostNotAllowed,
                $"egress to {target} refused (host-not-allowed): it is not a valid host name or address; connect by a listed name");
        }

        if (Deny.FirstOrDefault(entry => entry.MatchesNormalizedHost(normalized) && (entry.Port is null || entry.Port == port)) is { } denied)
        {
            return new EgressRefusal(EgressRefusal.HostDenied,
                $"egress to {target} refused (host-denied): the profile's [network] deny list has {denied}; remove it from the deny list to allow it");
        }

        var named = Allow.Where(entry => entry.MatchesNormalizedHost(normalized)).ToArray();
        if (named.Any(entry => entry.CoversPort(port)))
        {
            return null;
        }

        return named.Length > 0
            ? new EgressRefusal(EgressRefusal.PortNotAllowed,
                $"egress to {target} refused (port-not-allowed): the allow list has the host only as {string.Join(", ", named.Select(e => e.ToString()))} " +
                $"(no port means 80 and 443); add {Bracketed(normalized)}:{port.ToString(CultureInfo.InvariantCulture)} to the profile's [network] allow list")
            : new EgressRefusal(EgressRefusal.HostNotAllowed,
                $"egress to {target} refused (host-not-allowed): add it to the profile's [network] allow list, or to the run's allowed hosts where the profile grants it");
    }

    private static string Bracketed(string host) => host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host;
}
