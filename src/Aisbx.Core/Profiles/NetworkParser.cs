using System.Collections.Immutable;
using Aisbx.Core.Configuration;
using Aisbx.Core.Egress;
using Aisbx.Core.Units;

namespace Aisbx.Core.Profiles;

/// <summary>
/// Reads a profile's network: <c>network = "none"</c> (a mode), or a <c>[network]</c> table with <c>mode</c>,
/// <c>allow</c>, <c>deny</c>, <c>max_connections</c> and <c>max_bytes</c>; and <c>allowed_networks</c>, the modes a run
/// may ask for (at the top, or in the table). A profile that extends another keeps the base's values for the keys
/// it leaves out; a list it gives replaces the base's.
/// </summary>
internal static class NetworkParser
{
    private const string AllowedKey = "allowed_networks";

    public static Profile Read(TomlSection root, Profile profile)
    {
        var network = profile.Network;
        var egress = profile.Egress;
        var allowedList = root.StringList(AllowedKey);
        var allowedSection = root;

        if (root.IsTable("network"))
        {
            var table = root.Table("network")!;
            network = Mode(table, "mode", table.String("mode")) ?? network;
            egress = ReadEgress(table, egress);
            if (table.StringList(AllowedKey) is { } inTable)
            {
                if (allowedList is not null)
                {
                    throw table.Error($"'{AllowedKey}' is given twice, at the top and in [network]: keep one");
                }

                allowedList = inTable;
                allowedSection = table;
            }

            table.RejectUnknownKeys();
        }
        else
        {
            network = Mode(root, "network", root.String("network")) ?? network;
        }

        var allowed = profile.AllowedNetworks;
        if (allowedList is { } list)
        {
            allowed = [.. list.Select(item => Mode(allowedSection, $"{AllowedKey} entry", item)!.Value).Distinct()];
        }

        if (!allowed.Contains(network))
        {
            allowed = allowed.Add(network);
        }

        return profile with { Network = network, AllowedNetworks = allowed, Egress = egress };
    }

    private static NetworkMode? Mode(TomlSection section, string what, string? text) =>
        text is null ? null
        : NetworkModeText.TryParse(text, out var mode) ? mode
        : throw section.Error($"{what} '{text}' is not a mode; use {NetworkModeText.Choices}");

    private static EgressPolicy ReadEgress(TomlSection table, EgressPolicy egress)
    {
        var allow = Patterns(table, "allow", HostPattern.ParseAllow) ?? egress.Allow;
        var deny = Patterns(table, "deny", HostPattern.Parse) ?? egress.Deny;
        var connections = table.Integer("max_connections");
        if (connections is not null and not (> 0 and <= 1_000_000))
        {
            throw table.Error($"max_connections = {connections} must be a whole number from 1 to 1000000");
        }

        var bytesText = table.String("max_bytes");
        long bytes = 0;
        if (bytesText is not null && !(ByteSize.TryParse(bytesText, out bytes) && bytes > 0))
        {
            throw table.Error($"max_bytes '{bytesText}' is not a size; write e.g. \"512M\" or \"4G\"");
        }

        return new EgressPolicy(allow, deny, (int?)connections ?? egress.MaxConnections, bytesText is null ? egress.MaxBytes : bytes);
    }

    private static ImmutableArray<HostPattern>? Patterns(TomlSection table, string key, Func<string, HostPattern> parse)
    {
        if (table.StringList(key) is not { } entries)
        {
            return null;
        }

        var patterns = ImmutableArray.CreateBuilder<HostPattern>(entries.Length);
        foreach (var entry in entries)
        {
            try
            {
                patterns.Add(parse(entry));
            }
            catch (HostPatternException ex)
            {
                throw table.Error($"{key}: {ex.Message}");
            }
        }

        return [.. patterns.Distinct()];
    }
}
