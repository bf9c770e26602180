using Aisbx.Core.Policy;
using Aisbx.Core.Runs;

namespace Aisbx.Service;

/// <summary>
/// The words of a request written as JSON: the <c>aisbx-run</c> tool's arguments over MCP, the body's fields over
/// REST. Both take the same names; what differs is what they are called and what takes them.
/// </summary>
public sealed class JsonVocabulary : RequestVocabulary
{
    private JsonVocabulary(string noun, string taker)
    {
        Noun = noun;
        Taker = taker;
    }

    public static JsonVocabulary Tool { get; } = new("argument", "aisbx-run");

    public static JsonVocabulary Rest { get; } = new("field", "POST /v1/runs");

    /// <summary>What one named part of the request is called here: an argument, a field.</summary>
    public string Noun { get; }

    /// <summary>What takes the request: the tool, the endpoint.</summary>
    public string Taker { get; }

    public override string HowToGiveCommand =>
        $"give the program and its arguments as {Noun} 'command', e.g. [\"python3\", \"-c\", \"print(1)\"], or a snippet as 'code' with 'language'";

    public override string Name(RequestField field) => $"'{JsonName(field)}'";

    public static string JsonName(RequestField field) => field switch
    {
        RequestField.Command => "command",
        RequestField.Profile => "profile",
        RequestField.Workdir => "workdir",
        RequestField.Timeout => "timeout",
        RequestField.CpuTime => "cpuTime",
        RequestField.Memory => "memory",
        RequestField.Pids => "pids",
        RequestField.Network => "network",
        RequestField.Env => "env",
        RequestField.Files => "files",
        RequestField.Stdin => "stdin",
        RequestField.Secrets => "secrets",
        _ => throw new ArgumentOutOfRangeException(nameof(field)),
    };
}
