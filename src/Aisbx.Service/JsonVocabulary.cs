using Aisbx.Core.Policy;
using Aisbx.Core.Runs;

namespace Aisbx.Service;

/// <summary>
/// The words of a request written as JSON: a tool's arguments over MCP, the body's fields over REST. Both take the
/// same names; what differs is what they are called and what takes them (a tool, an endpoint).
/// </summary>
public sealed class JsonVocabulary : RequestVocabulary
{
    private JsonVocabulary(string noun, string taker, string profileList)
    {
        Noun = noun;
        Taker = taker;
        ProfileList = profileList;
    }

    /// <summary>The words of the MCP tools; as they stand, those of <c>aisbx-run</c>.</summary>
    public static JsonVocabulary Tool { get; } = new("argument", "aisbx-run", "aisbx-profile-list");

    /// <summary>The words of the REST API; as they stand, those of <c>POST /v1/runs</c>.</summary>
    public static JsonVocabulary Rest { get; } = new("field", "POST /v1/runs", "GET /v1/profiles");

    /// <summary>What one named part of the request is called here: an argument, a field.</summary>
    public string Noun { get; }

    /// <summary>What takes the request: the tool, the endpoint.</summary>
    public string Taker { get; }

    /// <summary>Where this surface lists the profiles, for a refusal that asks for one.</summary>
    public string ProfileList { get; }

    /// <summary>The same surface's words for another of its operations, e.g. <c>Rest.For("POST /v1/builds")</c>.</summary>
    public JsonVocabulary For(string taker) => new(Noun, taker, ProfileList);

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
        RequestField.AllowHosts => "allowHosts",
        _ => throw new ArgumentOutOfRangeException(nameof(field)),
    };
}
