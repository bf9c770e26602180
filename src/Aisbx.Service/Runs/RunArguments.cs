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
    private static readonly HashSet<string> Known = ["command", "code", "language", "profile", "workdir", "timeout", "env", "stdin", "files", "network", "allowHosts", "secrets"];

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

        var command = JsonFields.StringArray(arguments, "command", "[\"ls\", \"-la\"]");
        var code = JsonFields.Text(arguments, "code");
        var language = JsonFields.Text(arguments, "language");
        if (command is not null == code is not null)
        {
            throw new ToolArgumentException("give either 'command' (an array like [\"python3\", \"-c\", \"print(1)\"]) or 'code' with 'language', not both and not neither");
        }

        var profile = JsonFields.Text(arguments, "profile");
        var workdir = JsonFields.Text(arguments, "workdir");
        var files = JsonFields.StringMap(arguments, "files", "{\"src/main.py\": \"print(1)\"}");
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

        var network = JsonFields.Text(arguments, "network");
        NetworkMode? mode = null;
        if (network is not null)
        {
            mode = NetworkModeText.TryParse(network, out var parsed) ? parsed : throw new ToolArgumentException($"network '{network}' is not a mode: use {NetworkModeText.Choices}");
        }

        var request = new RunRequest
        {
            Command = [.. command!],
            Profile = profile ?? "default",
            Workdir = workdir,
            WallTime = JsonFields.Duration(arguments, "timeout"),
            Env = JsonFields.StringMap(arguments, "env", "{\"NAME\": \"value\"}"),
            Files = files,
            Network = mode,
            AllowHosts = JsonFields.HostList(arguments, "allowHosts"),
            Secrets = [.. JsonFields.StringArray(arguments, "secrets", "[\"API_TOKEN\"]", allowEmpty: true) ?? []],
            CaptureOutput = true,
            Caller = caller,
        };
        return (request, JsonFields.Text(arguments, "stdin"));
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
}
