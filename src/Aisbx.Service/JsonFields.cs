using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using Aisbx.Core.Units;

namespace Aisbx.Service;

/// <summary>
/// Typed fields of a request written as JSON (a tool's arguments, a body's fields), read without reflection and
/// strictly: a wrong type is a <see cref="ToolArgumentException"/> that names the field and what it should be.
/// </summary>
public static class JsonFields
{
    public static TimeSpan? Duration(IReadOnlyDictionary<string, JsonElement> arguments, string name)
    {
        if (!arguments.TryGetValue(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var seconds) && seconds > 0 && seconds <= 86_400)
        {
            return TimeSpan.FromSeconds(seconds);
        }

        if (value.ValueKind == JsonValueKind.String && DurationText.TryParse(value.GetString()!, out var duration) && duration > TimeSpan.Zero)
        {
            return duration;
        }

        throw new ToolArgumentException($"'{name}' {Describe(value)} is not a duration: give a number of seconds (above 0, at most 86400), or a string like \"500ms\", \"30s\" or \"2m\"");
    }

    public static string? Text(IReadOnlyDictionary<string, JsonElement> arguments, string name) =>
        !arguments.TryGetValue(name, out var value) || value.ValueKind == JsonValueKind.Null ? null
        : value.ValueKind == JsonValueKind.String ? value.GetString()
        : throw new ToolArgumentException($"'{name}' must be a string, not {Describe(value)}");

    public static string[]? StringArray(IReadOnlyDictionary<string, JsonElement> arguments, string name, string example, bool allowEmpty = false)
    {
        if (!arguments.TryGetValue(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw new ToolArgumentException($"'{name}' must be an array of strings, like {example}, not {Describe(value)}");
        }

        var items = new List<string>();
        foreach (var item in value.EnumerateArray())
        {
            items.Add(item.ValueKind == JsonValueKind.String
                ? item.GetString()!
                : throw new ToolArgumentException($"'{name}' must be an array of strings, like {example}, but item {items.Count + 1} is {Describe(item)}"));
        }

        return items.Count > 0 || allowEmpty ? [.. items] : throw new ToolArgumentException($"'{name}' is empty: give the program and its arguments");
    }

    /// <summary>Host entries (e.g. <c>allowHosts</c>); an empty array is kept (it narrows to no host), a missing one is null.</summary>
    public static ImmutableArray<string>? HostList(IReadOnlyDictionary<string, JsonElement> arguments, string name) =>
        StringArray(arguments, name, "[\"pypi.org\", \"*.example.org:8443\"]", allowEmpty: true) is { } hosts ? [.. hosts] : null;

    public static ImmutableSortedDictionary<string, string> StringMap(IReadOnlyDictionary<string, JsonElement> arguments, string name, string example)
    {
        if (!arguments.TryGetValue(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return ImmutableSortedDictionary<string, string>.Empty;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new ToolArgumentException($"'{name}' must be an object of strings, like {example}, not {Describe(value)}");
        }

        var builder = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var property in value.EnumerateObject())
        {
            if (property.Value.ValueKind != JsonValueKind.String)
            {
                throw new ToolArgumentException($"'{name}' must be an object of strings, like {example}, but '{Printable(property.Name)}' is {Describe(property.Value)}");
            }

            if (!builder.TryAdd(property.Name, property.Value.GetString()!))
            {
                throw new ToolArgumentException($"'{name}' has '{Printable(property.Name)}' twice: give each once");
            }
        }

        return builder.ToImmutable();
    }

    /// <summary>What a JSON value is, for a refusal: its kind, and a short number as written.</summary>
    public static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.Number when value.GetRawText().Length <= 24 => "the number " + value.GetRawText(),
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        _ => value.ValueKind.ToString().ToLower(CultureInfo.InvariantCulture),
    };

    public static string Printable(string name) =>
        new([.. name.Take(60).Select(c => char.IsControl(c) || c == '\'' ? '?' : c)]);

    public static bool? Boolean(IReadOnlyDictionary<string, JsonElement> arguments, string name) =>
        !arguments.TryGetValue(name, out var value) || value.ValueKind == JsonValueKind.Null ? null
        : value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean()
        : throw new ToolArgumentException($"'{name}' must be true or false, not {Describe(value)}");

    /// <summary>A whole number from <paramref name="min"/> to <paramref name="max"/>.</summary>
    public static long? WholeNumber(IReadOnlyDictionary<string, JsonElement> arguments, string name, long min, long max) =>
        !arguments.TryGetValue(name, out var value) || value.ValueKind == JsonValueKind.Null ? null
        : value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) && number >= min && number <= max ? number
        : throw new ToolArgumentException($"'{name}' must be a whole number from {min} to {max}, not {Describe(value)}");

    /// <summary>A size: a number of bytes, or a string like "256M".</summary>
    public static long? Size(IReadOnlyDictionary<string, JsonElement> arguments, string name)
    {
        if (!arguments.TryGetValue(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var bytes) && bytes > 0)
        {
            return bytes;
        }

        if (value.ValueKind == JsonValueKind.String && ByteSize.TryParse(value.GetString(), out var parsed))
        {
            return parsed;
        }

        throw new ToolArgumentException($"'{name}' {Describe(value)} is not a size: give a number of bytes, or a string like \"256M\" or \"1G\"");
    }

    /// <summary>Refuses any argument that is not one of <paramref name="known"/>.</summary>
    public static void RejectUnknown(IReadOnlyDictionary<string, JsonElement> arguments, IReadOnlyCollection<string> known, JsonVocabulary words)
    {
        foreach (var name in arguments.Keys)
        {
            if (!known.Contains(name))
            {
                throw new ToolArgumentException($"unknown {words.Noun} '{Printable(name)}': {words.Taker} takes {string.Join(", ", known.Order(StringComparer.Ordinal))}");
            }
        }
    }
}
