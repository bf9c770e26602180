using System.Collections.Immutable;

namespace Aisbx.Core.Configuration;

/// <summary>Reads <c>[pool]</c>: <c>size</c>, <c>keep_for</c>, <c>resident</c>, and <c>profiles</c> (a size per profile name).</summary>
internal static class PoolSettingsParser
{
    public static PoolSettings Read(TomlSection section, PoolSettings settings)
    {
        settings = settings with
        {
            Size = Size(section, "size", section.Integer("size")) ?? settings.Size,
            KeepFor = section.Duration("keep_for") is { } keep
                ? keep > TimeSpan.Zero ? keep : throw section.Error("keep_for must be above zero, e.g. \"10m\"")
                : settings.KeepFor,
            Resident = section.Boolean("resident") ?? settings.Resident,
            Profiles = section.Table("profiles") is { } profiles ? ReadProfiles(profiles) : settings.Profiles,
        };
        section.RejectUnknownKeys();
        return settings;
    }

    private static ImmutableSortedDictionary<string, int> ReadProfiles(TomlSection profiles)
    {
        var builder = ImmutableSortedDictionary.CreateBuilder<string, int>(StringComparer.Ordinal);
        foreach (var name in profiles.Keys)
        {
            builder[name] = Size(profiles, name, profiles.Integer(name)) ?? throw profiles.Error($"'{name}' must be a size, e.g. \"{name}\" = 4");
        }

        profiles.RejectUnknownKeys();
        return builder.ToImmutable();
    }

    private static int? Size(TomlSection section, string key, long? value) =>
        value is null ? null
        : value is >= 0 and <= PoolSettings.MaxSize ? (int)value
        : throw section.Error($"{key} = {value} must be a whole number from 0 (no pool) to {PoolSettings.MaxSize}");
}
