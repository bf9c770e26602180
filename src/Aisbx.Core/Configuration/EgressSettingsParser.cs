using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using Aisbx.Core.Egress;

namespace Aisbx.Core.Configuration;

/// <summary>Reads <c>[egress]</c>: <c>grants</c>, <c>hosts</c>, <c>exempt</c>, <c>connect_timeout</c> and <c>trust_host_certificates</c>.</summary>
internal static class EgressSettingsParser
{
    public static EgressSettings Read(TomlSection section, EgressSettings settings)
    {
        settings = settings with
        {
            Grants = section.Table("grants") is { } grants ? ReadGrants(grants) : settings.Grants,
            Hosts = section.Table("hosts") is { } hosts ? ReadHosts(hosts) : settings.Hosts,
            Exempt = section.StringList("exempt") is { } exempt ? [.. exempt.Select(text => Range(section, text))] : settings.Exempt,
            ConnectTimeout = section.Duration("connect_timeout") is { } timeout
                ? timeout > TimeSpan.Zero && timeout <= TimeSpan.FromMinutes(5) ? timeout
                    : throw section.Error("connect_timeout must be above zero and at most 5m")
                : settings.ConnectTimeout,
            TrustHostCertificates = section.Boolean("trust_host_certificates") ?? settings.TrustHostCertificates,
        };
        section.RejectUnknownKeys();
        return settings;
    }

    private static ImmutableSortedDictionary<string, ImmutableArray<HostPattern>> ReadGrants(TomlSection grants)
    {
        var builder = ImmutableSortedDictionary.CreateBuilder<string, ImmutableArray<HostPattern>>(StringComparer.Ordinal);
        foreach (var (key, entries) in grants.StringListMap("a list of hosts, e.g. \"ci\" = [\"pypi.org\"]"))
        {
            if (key.Length is 0 or > 64 || !key.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            {
                throw grants.Error($"'{key}' is not an API key name: use the name 'aisbx keys list' shows (1-64 letters, digits, '-', '_' or '.')");
            }

            builder[key] = [.. entries.Select(entry => Pattern(grants, key, entry)).Distinct()];
        }

        return builder.ToImmutable();
    }

    private static HostPattern Pattern(TomlSection grants, string key, string entry)
    {
        try
        {
            return HostPattern.ParseAllow(entry);
        }
        catch (HostPatternException ex)
        {
            throw grants.Error($"'{key}': {ex.Message}");
        }
    }

    private static ImmutableSortedDictionary<string, ImmutableArray<IPAddress>> ReadHosts(TomlSection hosts)
    {
        var builder = ImmutableSortedDictionary.CreateBuilder<string, ImmutableArray<IPAddress>>(StringComparer.Ordinal);
        foreach (var (name, addresses) in hosts.StringListMap("a list of addresses, e.g. \"mirror.example\" = [\"192.0.2.10\"]"))
        {
            HostPattern pattern;
            try
            {
                pattern = HostPattern.Parse(name);
            }
            catch (HostPatternException ex)
            {
                throw hosts.Error($"'{name}': {ex.Message}");
            }

            if (pattern.IsWildcard || pattern.IsAddress || pattern.Port is not null)
            {
                throw hosts.Error($"'{name}' must be a plain host name (no wildcard, address or port): the proxy looks up names, e.g. \"mirror.example\"");
            }

            if (addresses.IsEmpty)
            {
                throw hosts.Error($"'{name}' has no addresses: give at least one, e.g. [\"192.0.2.10\"], or remove the entry");
            }

            if (builder.ContainsKey(pattern.Host))
            {
                throw hosts.Error($"'{name}' is given twice (as {pattern.Host}): keep one entry");
            }

            builder[pattern.Host] = [.. addresses.Select(text => Address(hosts, name, text))];
        }

        return builder.ToImmutable();
    }

    private static IPAddress Address(TomlSection hosts, string name, string text) =>
        IPAddress.TryParse(text, out var address) && !text.Contains('%', StringComparison.Ordinal)
        && (address.AddressFamily == AddressFamily.InterNetworkV6 || address.ToString() == text)
            ? address
            : throw hosts.Error($"'{name}': '{text}' is not an IP address: write e.g. \"192.0.2.10\" or \"2001:db8::10\"");

    private static IPNetwork Range(TomlSection section, string text) =>
        text.Contains('/', StringComparison.Ordinal) && IPNetwork.TryParse(text, out var range)
        && range.BaseAddress.Equals(IPAddress.Parse(text[..text.IndexOf('/', StringComparison.Ordinal)]))
            ? range
            : throw section.Error($"exempt entry '{text}' is not an address range: write it as address/prefix with no bits set past the prefix, e.g. \"192.168.1.0/24\" or \"127.0.0.2/32\"");
}
