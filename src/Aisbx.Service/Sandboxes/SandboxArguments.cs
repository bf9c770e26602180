using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using Aisbx.Core.Profiles;
using Aisbx.Core.Runs;
using Aisbx.Sandbox.Live;
using Aisbx.Service.Runs;

namespace Aisbx.Service.Sandboxes;

/// <summary>The arguments of a sandbox's creation and of an exec in it, read strictly from JSON (a tool's arguments, a body's fields).</summary>
public static class SandboxArguments
{
    public static readonly string[] CreateFields = ["profile", "env", "network", "allowHosts", "memory", "pids", "cpuTime", "idleTimeout", "maxLifetime", "files"];

    public static readonly string[] ExecFields = ["command", "code", "language", "cwd", "env", "stdin", "timeout", "background"];

    /// <exception cref="ToolArgumentException">An argument is unknown, or of the wrong type.</exception>
    public static LiveSandboxRequest Create(IReadOnlyDictionary<string, JsonElement> arguments, string owner, JsonVocabulary words, IReadOnlyCollection<string>? extra = null)
    {
        JsonFields.RejectUnknown(arguments, [.. CreateFields, .. extra ?? []], words);
        var network = JsonFields.Text(arguments, "network");
        NetworkMode? mode = null;
        if (network is not null)
        {
            mode = NetworkModeText.TryParse(network, out var parsed) ? parsed : throw new ToolArgumentException($"network '{network}' is not a mode: use {NetworkModeText.Choices}");
        }

        return new LiveSandboxRequest
        {
            Profile = JsonFields.Text(arguments, "profile") ?? "default",
            Env = JsonFields.StringMap(arguments, "env", "{\"NAME\": \"value\"}"),
            Network = mode,
            AllowHosts = JsonFields.HostList(arguments, "allowHosts"),
            MemoryBytes = JsonFields.Size(arguments, "memory"),
            Pids = (int?)JsonFields.WholeNumber(arguments, "pids", 1, 100_000),
            CpuTime = JsonFields.Duration(arguments, "cpuTime"),
            IdleTimeout = JsonFields.Duration(arguments, "idleTimeout"),
            MaxLifetime = JsonFields.Duration(arguments, "maxLifetime"),
            Files = JsonFields.StringMap(arguments, "files", "{\"src/main.py\": \"print(1)\"}"),
            Caller = owner,
        };
    }

    /// <returns>The exec, and for a snippet too large for an argument the file it must be written to first.</returns>
    /// <exception cref="ToolArgumentException">An argument is missing, unknown, or of the wrong type.</exception>
    public static (LiveExecRequest Exec, (string Path, string Code)? Snippet) Exec(
        IReadOnlyDictionary<string, JsonElement> arguments, Core.Configuration.RequestSizeLimits limits, JsonVocabulary words, IReadOnlyCollection<string>? extra = null)
    {
        JsonFields.RejectUnknown(arguments, [.. ExecFields, .. extra ?? []], words);
        var command = JsonFields.StringArray(arguments, "command", "[\"ls\", \"-la\"]");
        var code = JsonFields.Text(arguments, "code");
        var language = JsonFields.Text(arguments, "language");
        if (command is not null == code is not null)
        {
            throw new ToolArgumentException("give either 'command' (an array like [\"python3\", \"-c\", \"print(1)\"]) or 'code' with 'language', not both and not neither");
        }

        (string Path, string Code)? snippetFile = null;
        if (code is not null)
        {
            var snippet = Snippets.For(language ?? throw new ToolArgumentException($"'code' needs a 'language': one of {string.Join(", ", Snippets.Languages)}"));
            command = snippet.Command(code);
            if (!Core.Policy.RunPolicy.ArgumentsFit(command, limits))
            {
                command = snippet.FileCommand();
                snippetFile = (snippet.FileName, code);
            }
        }
        else if (language is not null)
        {
            throw new ToolArgumentException("'language' goes with 'code': drop it, or send the program as 'code'");
        }

        var stdin = JsonFields.Text(arguments, "stdin");
        if (stdin is not null && Encoding.UTF8.GetByteCount(stdin) > limits.MaxStdinBytes)
        {
            throw new ToolArgumentException("stdin-size", $"'stdin' is over {limits.MaxStdinBytes} bytes: write the data to a file first (aisbx-file-write), and read it from there");
        }

        return (new LiveExecRequest
        {
            Command = [.. command!],
            Env = JsonFields.StringMap(arguments, "env", "{\"NAME\": \"value\"}"),
            WorkingDirectory = JsonFields.Text(arguments, "cwd"),
            Stdin = stdin is null ? ReadOnlyMemory<byte>.Empty : Encoding.UTF8.GetBytes(stdin),
            Timeout = JsonFields.Duration(arguments, "timeout"),
            Background = JsonFields.Boolean(arguments, "background") ?? false,
        }, snippetFile);
    }
}
