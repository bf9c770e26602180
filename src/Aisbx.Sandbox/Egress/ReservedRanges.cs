using System.Net;

namespace Aisbx.Sandbox.Egress;

/// <summary>
/// The address ranges the proxy never reaches, each with the name a refusal shows. The IPv4 documentation ranges
/// (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24) are absent on purpose: on these machines the package registries
/// resolve into 203.0.113.0/24.
/// </summary>
internal static class ReservedRanges
{
    internal static readonly (IPNetwork Network, string Name)[] V4 =
    [
        (IPNetwork.Parse("0.0.0.0/8"), "this network"),
        (IPNetwork.Parse("10.0.0.0/8"), "private"),
        (IPNetwork.Parse("100.64.0.0/10"), "CGNAT"),
        (IPNetwork.Parse("127.0.0.0/8"), "loopback"),
        (IPNetwork.Parse("169.254.0.0/16"), "link-local"),
        (IPNetwork.Parse("172.16.0.0/12"), "private"),
        (IPNetwork.Parse("192.0.0.0/24"), "IETF protocol assignments"),
        (IPNetwork.Parse("192.168.0.0/16"), "private"),
        (IPNetwork.Parse("198.18.0.0/15"), "benchmarking"),
        (IPNetwork.Parse("224.0.0.0/4"), "multicast"),
        (IPNetwork.Parse("240.0.0.0/4"), "reserved"),
    ];

    internal static readonly (IPNetwork Network, string Name)[] V6 =
    [
        (IPNetwork.Parse("::/128"), "unspecified"),
        (IPNetwork.Parse("::1/128"), "loopback"),
        (IPNetwork.Parse("100::/64"), "discard"),
        (IPNetwork.Parse("64:ff9b:1::/48"), "local NAT64"),
        (IPNetwork.Parse("2001::/32"), "Teredo"),
        (IPNetwork.Parse("fc00::/7"), "unique local"),
        (IPNetwork.Parse("fe80::/10"), "link-local"),
        (IPNetwork.Parse("fec0::/10"), "site-local"),
        (IPNetwork.Parse("ff00::/8"), "multicast"),
    ];

    /// <summary>IPv6 forms that carry an IPv4 address, which is then checked as IPv4: (prefix, offset of the IPv4 bytes).</summary>
    internal static readonly (IPNetwork Network, string Name, int Offset)[] Embedding =
    [
        (IPNetwork.Parse("::ffff:0:0/96"), "IPv4-mapped", 12),
        (IPNetwork.Parse("::ffff:0:0:0/96"), "IPv4-translated", 12),
        (IPNetwork.Parse("::/96"), "IPv4-compatible", 12),
        (IPNetwork.Parse("64:ff9b::/96"), "NAT64", 12),
        (IPNetwork.Parse("2002::/16"), "6to4", 2),
    ];
}
