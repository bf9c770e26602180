using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using Aisbx.Core.Profiles;
using Aisbx.Core.Runs;
using Aisbx.Core.Units;

namespace Aisbx.Mcp;

/// <summary>
/// The <c>aisbx-run</c> tool's arguments as a <see cref="RunRequest"/>. Read straight from the JSON (no reflection),
/// and strict: an unknown argument or a wrong type is a refusal that names the argument and what it should be.
/// </summary>
public static class RunArguments
{
    private static readonly HashSet<string> Known = ["command", "code", "language", "profile", "workdir", "timeout", "env", "stdin", "files", "network", "secrets"];

    /// <exception cref="ToolArgumentException">An argument is missing, unknown, or of the wrong type.</exception>
    public static (RunRequest Request, string? Stdin) Read(IReadOnlyDictionary<string, JsonElement>? arguments, string caller)
    {
        arguments ??= new Dictionary<string, JsonElement>();
        foreach (var name in arguments.Keys)
        {
            if (!Known.Contains(name))
            {
                throw new ToolArgumentException($"unknown argument '{name}': aisbx-run takes {string.Join(", ", Known.Order(StringComparer.Ordinal))}");
            }
        }

        var command = StringArray(arguments, "command");
        var code = String(arguments, "code");
        var language = String(arguments, "language");
        if (command is not null == code is not null)
        {
            throw new ToolArgumentException("give either 'command' (an array like [\"python3\", \"-c\", \"print(1)\"]) or 'code' with 'language', not both and not neither");
        }

        var profile = String(arguments, "profile");
        if (code is not null)
        {
            var snippet = Snippets.For(language ?? throw new ToolArgumentException($"'code' needs a 'language': one of {string.Join(", ", Snippets.Languages)}"));
            command = snippet.Command(code);
            profile ??= snippet.Profile;
        }
        else if (language is not null)
        {
            throw new ToolArgumentException("'language' goes with 'code': drop it, or send the program as 'code'");
        }

        var network = String(arguments, "network");
        NetworkMode? mode = null;
        if (network is not null)
        {
            mode = NetworkModeText.TryParse(network, out var parsed) ? parsed : throw new ToolArgumentException($"network '{network}' is not a mode: use \"none\" or \"host\"");
        }

        var request = new RunRequest
        {
            Command = [.. command!],
            Profile = profile ?? "default",
            Workdir = String(arguments, "workdir"),
            WallTime = Timeout(arguments),
            Env = StringMap(arguments, "env"),
            Files = StringMap(arguments, "files"),
            Network = mode,
            Secrets = [.. StringArray(arguments, "secrets", allowEmpty: true) ?? []],
            CaptureOutput = true,
            Caller = caller,
        };
        return (request, String(arguments, "stdin"));
    }

    private static TimeSpan? Timeout(IReadOnlyDictionary<string, JsonElement> arguments)
    {
        if (!arguments.TryGetValue("timeout", out var value) || value.ValueKind == JsonValueKind.Null)
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

        throw new ToolArgumentException($"timeout {Describe(value)} is not a duration: give a number of seconds, or a string like \"500ms\", \"30s\" or \"2m\"");
    }

    private static string? String(IReadOnlyDictionary<string, JsonElement> arguments, string name) =>
        !arguments.TryGetValue(name, out var value) || value.ValueKind == JsonValueKind.Null ? null
        : value.ValueKind == JsonValueKind.String ? value.GetString()
        : throw new ToolArgumentException($"'{name}' must be a string, not {Describe(value)}");

    private static string[]? StringArray(IReadOnlyDictionary<string, JsonElement> arguments, string name, bool allowEmpty = false)
    {
        if (!arguments.TryGetValue(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Array || value.EnumerateArray().Any(item => item.ValueKind != JsonValueKind.String))
        {
            throw new ToolArgumentException($"'{name}' must be an array of strings, like [\"ls\", \"-la\"], not {Describe(value)}");
        }

        var items = value.EnumerateArray().Select(item => item.GetString()!).ToArray();
        return items.Length > 0 || allowEmpty ? items : throw new ToolArgumentException($"'{name}' is empty: give the program and its arguments");
    }

    private static ImmutableSortedDictionary<string, string> StringMap(IReadOnlyDictionary<string, JsonElement> arguments, string name)
    {
        if (!arguments.TryGetValue(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return ImmutableSortedDictionary<string, string>.Empty;
        }

        if (value.ValueKind != JsonValueKind.Object || value.EnumerateObject().Any(p => p.Value.ValueKind != JsonValueKind.String))
        {
            throw new ToolArgumentException($"'{name}' must be an object of strings, like {{\"NAME\": \"value\"}}, not {Describe(value)}");
        }

        var builder = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var property in value.EnumerateObject())
        {
            builder[property.Name] = property.Value.GetString()!;
        }

        return builder.ToImmutable();
    }

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "the number " + value.GetRawText(),
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        _ => value.ValueKind.ToString().ToLower(CultureInfo.InvariantCulture),
    };
}

/// <summary>A tool argument is missing, unknown or of the wrong type; the message says which and how to fix it.</summary>
public sealed class ToolArgumentException(string message) : Core.AisbxException(message);
