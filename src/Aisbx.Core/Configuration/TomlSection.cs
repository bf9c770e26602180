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
            throw new ConfigurationException($"{where}: not valid TOML: {Reason(ex.Message)}", ex);
        }
    }

    /// <summary>Tomlyn's innermost reason, e.g. "(1,11) : error : Unexpected token" as "line 1, column 11: Unexpected token".</summary>
    private static string Reason(string message)
    {
        var line = message.Split('\n', 2)[0].Trim();
        var reason = line.LastIndexOf("Reason: ", StringComparison.Ordinal) is var at and >= 0 ? line[(at + "Reason: ".Length)..] : line;
        var match = System.Text.RegularExpressions.Regex.Match(reason, @"^\((\d+),(\d+)\)\s*:\s*error\s*:\s*(.*)$");
        return match.Success ? $"line {match.Groups[1].Value}, column {match.Groups[2].Value}: {match.Groups[3].Value}" : reason;
    }

    /// <summary>The keys of a free-form table, such as <c>[pool.profiles]</c>, each read with a typed getter after.</summary>
    public IEnumerable<string> Keys => [.. _table.Keys];

    public bool Has(string key)
    {
        _known.Add(key);
        return _table.ContainsKey(key);
    }

    public string? String(string key) => Raw(key) switch
    {
        null => null,
        string text => text,
        _ => throw Error($"'{key}' must be a string"),
    };

    public long? Integer(string key) => Raw(key) switch
    {
        null => null,
        long number => number,
        _ => throw Error($"'{key}' must be an integer"),
    };

    public bool? Boolean(string key) => Raw(key) switch
    {
        null => null,
        bool flag => flag,
        _ => throw Error($"'{key}' must be true or false"),
    };

    /// <summary>A duration written as the command line writes one (<c>500ms</c>, <c>30s</c>, <c>2m</c>, <c>1h</c>, <c>30d</c>).</summary>
    public TimeSpan? Duration(string key)
    {
        var text = String(key);
        return text is null ? null
            : Units.DurationText.TryParse(text, out var value) ? value
            : throw Error($"{key} '{text}' is not a duration; write e.g. \"500ms\", \"30s\", \"2m\" or \"1h\"");
    }

    public ImmutableArray<string>? StringList(string key)
    {
        if (Raw(key) is not { } value)
        {
            return null;
        }

        var array = value as TomlArray ?? throw Error($"'{key}' must be a list of strings");

        var builder = ImmutableArray.CreateBuilder<string>(array.Count);
        foreach (var item in array)
        {
            builder.Add(item as string ?? throw Error($"'{key}' must be a list of strings"));
        }

        return builder.MoveToImmutable();
    }

    public bool IsTable(string key) => Raw(key) is TomlTable;

    public TomlSection? Table(string key)
    {
        return Raw(key) switch
        {
            null => null,
            TomlTable table => new TomlSection(table, $"{_where} [{key}]"),
            _ => throw Error($"'{key}' must be a table ([{key}])"),
        };
    }

    public IEnumerable<TomlSection> TableArray(string key)
    {
        if (Raw(key) is not { } value)
        {
            yield break;
        }

        var array = value as TomlTableArray ?? throw Error($"'{key}' must be an array of tables ([[{key}]])");

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

    /// <summary>Every key of a free-form table whose values are lists of strings, such as <c>grants = { "ci" = ["pypi.org"] }</c>.</summary>
    /// <param name="shape">What each value must be, with an example, for the error.</param>
    public ImmutableSortedDictionary<string, ImmutableArray<string>> StringListMap(string shape)
    {
        var builder = ImmutableSortedDictionary.CreateBuilder<string, ImmutableArray<string>>(StringComparer.Ordinal);
        foreach (var (key, _) in _table)
        {
            builder[key] = _table[key] is TomlArray ? StringList(key)!.Value : throw Error($"'{key}' must be {shape}");
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

    // Deliberately not generic: a generic "value is T" with a Nullable T spun forever under NativeAOT (.NET 10.0.12).
    private object? Raw(string key)
    {
        _known.Add(key);
        return _table.TryGetValue(key, out var value) ? value : null;
    }
}
