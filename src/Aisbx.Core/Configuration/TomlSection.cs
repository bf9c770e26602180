using System.Collections.Immutable;
using Tomlyn;
using Tomlyn.Model;

namespace Aisbx.Core.Configuration;

/// <summary>
/// Typed, strict access to one table of a TOML file: every key must be read or it is reported as unknown,
/// so that a typo in a profile is an error instead of a silently ignored setting.
/// </summary>
internal sealed class TomlSection
{
    private readonly TomlTable _table;
    private readonly string _where;
    private readonly HashSet<string> _known = new(StringComparer.Ordinal);

    private TomlSection(TomlTable table, string where)
    {
        _table = table;
        _where = where;
    }

    public static TomlSection Parse(string text, string where)
    {
        try
        {
            var table = TomlSerializer.Deserialize(text, TomlModelContext.Default.TomlTable) ?? new TomlTable();
            return new TomlSection(table, where);
        }
        catch (TomlException ex)
        {
            var firstLine = ex.Message.Split('\n', 2)[0].Trim();
            throw new ConfigurationException($"{where}: not valid TOML: {firstLine}", ex);
        }
    }

    public bool Has(string key)
    {
        _known.Add(key);
        return _table.ContainsKey(key);
    }

    public string? String(string key) => Get<string>(key, "a string");

    public long? Integer(string key) => Get<long?>(key, "an integer");

    public bool? Boolean(string key) => Get<bool?>(key, "true or false");

    public ImmutableArray<string>? StringList(string key)
    {
        var array = Get<TomlArray>(key, "a list of strings");
        if (array is null)
        {
            return null;
        }

        var builder = ImmutableArray.CreateBuilder<string>(array.Count);
        foreach (var item in array)
        {
            builder.Add(item as string ?? throw Error($"'{key}' must be a list of strings"));
        }

        return builder.MoveToImmutable();
    }

    public TomlSection? Table(string key)
    {
        var table = Get<TomlTable>(key, "a table");
        return table is null ? null : new TomlSection(table, $"{_where} [{key}]");
    }

    public IEnumerable<TomlSection> TableArray(string key)
    {
        var array = Get<TomlTableArray>(key, "an array of tables ([[" + key + "]])");
        if (array is null)
        {
            yield break;
        }

        var index = 0;
        foreach (var table in array)
        {
            yield return new TomlSection(table, $"{_where} [[{key}]] #{++index}");
        }
    }

    /// <summary>Every key of a free-form table such as <c>[env]</c>, whose values must be strings.</summary>
    public ImmutableSortedDictionary<string, string> StringMap()
    {
        var builder = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in _table)
        {
            _known.Add(key);
            builder[key] = value as string ?? throw Error($"'{key}' must be a string");
        }

        return builder.ToImmutable();
    }

    /// <summary>Fails on the first key that nothing read: call after reading every key the section allows.</summary>
    public void RejectUnknownKeys()
    {
        foreach (var (key, _) in _table)
        {
            if (!_known.Contains(key))
            {
                throw Error($"unknown key '{key}'; known keys: {string.Join(", ", _known.Order(StringComparer.Ordinal))}");
            }
        }
    }

    public ConfigurationException Error(string problem) => new($"{_where}: {problem}");

    private T? Get<T>(string key, string expected)
    {
        _known.Add(key);
        if (!_table.TryGetValue(key, out var value))
        {
            return default;
        }

        return value is T typed ? typed : throw Error($"'{key}' must be {expected}");
    }
}
