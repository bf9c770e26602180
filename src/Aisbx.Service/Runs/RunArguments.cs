using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Aisbx.Core.Configuration;
using Aisbx.Core.Policy;
using Aisbx.Core.Profiles;
using Aisbx.Core.Runs;
using Aisbx.Core.Units;

namespace Aisbx.Service.Runs;

/// <summary>
/// The <c>aisbx-run</c> tool's arguments (and the REST body's fields) as a <see cref="RunRequest"/>. Read straight
/// from the JSON (no reflection), and strict: an unknown argument or a wrong type is a refusal that names the
/// argument and what it should be.
/// </summary>
public static class RunArguments
{
    private static readonly HashSet<string> Known = ["command", "code", "language", "profile", "workdir", "timeout", "env", "stdin", "files", "network", "secrets"];

    /// <param name="limits">The argument caps, which decide whether a snippet goes to its interpreter as an argument or as a file.</param>
    /// <param name="words">Whether these are a tool's arguments or a body's fields, for the refusals.</param>
    /// <exception cref="ToolArgumentException">An argument is missing, unknown, or of the wrong type.</exception>
    public static (RunRequest Request, string? Stdin) Read(IReadOnlyDictionary<string, JsonElement>? arguments, string caller, RequestSizeLimits limits, JsonVocabulary words)
    {
        arguments ??= new Dictionary<string, JsonElement>();
        foreach (var name in arguments.Keys)
        {
            if (!Known.Contains(name))
            {
                throw new ToolArgumentException($"unknown {words.Noun} '{name}': {words.Taker} takes {string.Join(", ", Known.Order(StringComparer.Ordinal))}");
            }
        }

        var command = StringArray(arguments, "command", "[\"ls\", \"-la\"]");
        var code = String(arguments, "code");
        var language = String(arguments, "language");
        if (command is not null == code is not null)
        {
            throw new ToolArgumentException("give either 'command' (an array like [\"python3\", \"-c\", \"print(1)\"]) or 'code' with 'language', not both and not neither");
        }

        var profile = String(arguments, "profile");
        var workdir = String(arguments, "workdir");
        var files = StringMap(arguments, "files", "{\"src/main.py\": \"print(1)\"}");
        if (code is not null)
        {
            var snippet = Snippets.For(language ?? throw new ToolArgumentException($"'code' needs a 'language': one of {string.Join(", ", Snippets.Languages)}"));
            (command, files) = SnippetCommand(snippet, code, workdir, files, limits);
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
            Workdir = workdir,
            WallTime = Timeout(arguments),
            Env = StringMap(arguments, "env", "{\"NAME\": \"value\"}"),
            Files = files,
            Network = mode,
            Secrets = [.. StringArray(arguments, "secrets", "[\"API_TOKEN\"]", allowEmpty: true) ?? []],
            CaptureOutput = true,
            Caller = caller,
        };
        return (request, String(arguments, "stdin"));
    }

    /// <summary>
    /// A snippet as an argument of its interpreter when that fits; else as a file placed in the fresh workspace.
    /// A caller's workdir is never written, so there a snippet too large for an argument is refused.
    /// </summary>
    private static (string[] Command, ImmutableSortedDictionary<string, string> Files) SnippetCommand(
        Snippet snippet, string code, string? workdir, ImmutableSortedDictionary<string, string> files, RequestSizeLimits limits)
    {
        var inline = snippet.Command(code);
        if (RunPolicy.ArgumentsFit(inline, limits))
        {
            return (inline, files);
        }

        var bytes = Encoding.UTF8.GetByteCount(code);
        if (workdir is not null)
        {
            throw new ToolArgumentException("code-size",
                $"'code' takes {bytes} bytes, too many for an argument; a snippet that large is placed as a file in a fresh workspace, " +
                $"and aisbx never writes a caller's workdir: leave out 'workdir', or save the program in the workdir and run it with 'command'");
        }

        if (files.ContainsKey(snippet.FileName))
        {
            throw new ToolArgumentException($"'files' has '{snippet.FileName}', where aisbx places a 'code' too large for an argument: give that file another name");
        }

        return (snippet.FileCommand(), files.Add(snippet.FileName, code));
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

        throw new ToolArgumentException($"'timeout' {Describe(value)} is not a duration: give a number of seconds (above 0, at most 86400), or a string like \"500ms\", \"30s\" or \"2m\"");
    }

    private static string? String(IReadOnlyDictionary<string, JsonElement> arguments, string name) =>
        !arguments.TryGetValue(name, out var value) || value.ValueKind == JsonValueKind.Null ? null
        : value.ValueKind == JsonValueKind.String ? value.GetString()
        : throw new ToolArgumentException($"'{name}' must be a string, not {Describe(value)}");

    private static string[]? StringArray(IReadOnlyDictionary<string, JsonElement> arguments, string name, string example, bool allowEmpty = false)
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

    private static ImmutableSortedDictionary<string, string> StringMap(IReadOnlyDictionary<string, JsonElement> arguments, string name, string example)
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

    private static string Printable(string name) =>
        new([.. name.Take(60).Select(c => char.IsControl(c) || c == '\'' ? '?' : c)]);
}
