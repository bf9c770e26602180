using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Aisbx.Core.Egress;

/// <summary>
/// One entry of an egress allow or deny list: a host, a wildcard over its subdomains, or an address, with a port.
/// </summary>
/// <param name="Host">
/// Lowercase ASCII (an IDN as punycode), without a trailing dot: an exact name (<c>pypi.org</c>), a wildcard
/// (<c>*.example.org</c>, every subdomain at any depth, not <c>example.org</c> itself), or an IP literal
/// (IPv6 without brackets).
/// </param>
/// <param name="Port">The one port the entry allows; null for the default ports 80 and 443.</param>
public sealed record HostPattern(string Host, int? Port)
{
    /// <summary>The ports an entry without a port stands for.</summary>
    public static readonly IReadOnlyList<int> DefaultPorts = [80, 443];

    private const string WildcardPrefix = "*.";

    /// <summary>Whether <see cref="Host"/> is <c>*.name</c>.</summary>
    public bool IsWildcard => Host.StartsWith(WildcardPrefix, StringComparison.Ordinal);

    /// <summary>Whether <see cref="Host"/> is an IPv4 or IPv6 address.</summary>
    public bool IsAddress => IPAddress.TryParse(Host, out _);

    /// <summary>Reads <c>name</c>, <c>*.name</c>, <c>name:port</c>, <c>*.name:port</c>, an IPv4 address, <c>[v6]</c> or <c>[v6]:port</c>.</summary>
    /// <exception cref="FormatException">The text is not an entry; the one-line message says how to write it.</exception>
    public static HostPattern Parse(string text) => HostPatternGrammar.Parse(text);

    /// <summary>Reads an allow entry: <see cref="Parse"/>, refusing a wildcard over a public suffix (<c>*.com</c>, <c>*.co.uk</c>).</summary>
    /// <exception cref="HostPatternException">Rule <c>host-pattern-invalid</c> or <c>allow-too-broad</c>.</exception>
    public static HostPattern ParseAllow(string text) => AllowBreadth.Checked(Parse(text));

    /// <summary>
    /// Whether every connection <paramref name="narrower"/> allows, this entry allows too: the same host or one under
    /// this wildcard (a wildcard only under an equal or broader one), on ports this entry allows.
    /// </summary>
    public bool Covers(HostPattern narrower)
    {
        var portsCovered = narrower.Port is { } port ? CoversPort(port) : Port is null;
        if (!portsCovered)
        {
            return false;
        }

        return narrower.IsWildcard
            ? IsWildcard && (narrower.Host == Host || MatchesNormalizedHost(narrower.Host[2..]))
            : MatchesNormalizedHost(narrower.Host);
    }

    /// <summary>Whether a connection to <paramref name="host"/> on <paramref name="port"/> falls under this entry.</summary>
    /// <param name="host">A name or address as a client gave it; normalized (case, trailing dot, IDN, brackets) first.</param>
    public bool Matches(string host, int port) => CoversPort(port) && MatchesHost(host);

    /// <summary>Whether the entry names <paramref name="host"/>, on whatever port.</summary>
    public bool MatchesHost(string host) =>
        HostPatternGrammar.TryNormalizeHost(host, out var normalized) && MatchesNormalizedHost(normalized);

    /// <summary>Whether the entry allows <paramref name="port"/>.</summary>
    public bool CoversPort(int port) => Port is { } only ? port == only : DefaultPorts.Contains(port);

    internal bool MatchesNormalizedHost(string host) =>
        IsWildcard
            ? host.Length > Host.Length - 1 && host.EndsWith(Host.AsSpan(1), StringComparison.Ordinal)
            : host == Host;

    /// <summary>The canonical text: what <see cref="Parse"/> reads back to an equal entry.</summary>
    public override string ToString()
    {
        var host = IPAddress.TryParse(Host, out var address) && address.AddressFamily == AddressFamily.InterNetworkV6
            ? $"[{Host}]"
            : Host;
        return Port is { } port ? $"{host}:{port.ToString(CultureInfo.InvariantCulture)}" : host;
    }
}
