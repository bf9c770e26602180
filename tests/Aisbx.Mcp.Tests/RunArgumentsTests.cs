using System.Text.Json;
using Aisbx.Core.Configuration;
using Aisbx.Service;
using Aisbx.Service.Runs;

namespace Aisbx.Mcp.Tests;

public class RunArgumentsTests
{
    private static Dictionary<string, JsonElement> Args(string json) =>
        JsonDocument.Parse(json).RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone());

    private static (Core.Runs.RunRequest Request, string? Stdin) Read(Dictionary<string, JsonElement> arguments, string caller, RequestSizeLimits? limits = null) =>
        RunArguments.Read(arguments, caller, limits ?? RequestSizeLimits.Default, JsonVocabulary.Tool);

    [Fact]
    public void A_python_snippet_runs_with_python3_in_python_dev()
    {
        var (request, stdin) = Read(Args("""{"code":"print(1)","language":"python","stdin":"in"}"""), "mcp:s1");

        Assert.Equal(["python3", "-c", "print(1)"], request.Command);
        Assert.Equal(("python-dev", "mcp:s1", "in", true), (request.Profile, request.Caller, stdin, request.CaptureOutput));
    }

    [Theory]
    [InlineData("""{"command":["true"],"timeout":2.5}""", 2500)]
    [InlineData("""{"command":["true"],"timeout":"500ms"}""", 500)]
    [InlineData("""{"command":["true"],"timeout":"2m"}""", 120_000)]
    public void Timeouts_are_seconds_or_duration_strings(string json, double expectedMs) =>
        Assert.Equal(expectedMs, Read(Args(json), "c").Request.WallTime!.Value.TotalMilliseconds);

    [Fact]
    public void Env_files_profile_and_network_are_carried_over()
    {
        var (request, _) = Read(Args("""{"command":["ls"],"profile":"strict","env":{"A":"1"},"files":{"a/b.txt":"x"},"network":"none"}"""), "c");

        Assert.Equal("strict", request.Profile);
        Assert.Equal("1", request.Env["A"]);
        Assert.Equal("x", request.Files["a/b.txt"]);
        Assert.Equal(Core.Profiles.NetworkMode.None, request.Network);
    }

    [Theory]
    [InlineData("""{}""", "give either 'command'")]
    [InlineData("""{"command":[]}""", "'command' is empty")]
    [InlineData("""{"command":["ls"],"timeout":-1}""", "is not a duration")]
    [InlineData("""{"command":["ls"],"timeout":"soon"}""", "is not a duration")]
    [InlineData("""{"command":["ls"],"network":"wifi"}""", "network 'wifi' is not a mode")]
    [InlineData("""{"command":["ls"],"language":"python"}""", "'language' goes with 'code'")]
    [InlineData("""{"command":["ls"],"stdin":5}""", "'stdin' must be a string")]
    public void Bad_arguments_are_refused_with_what_to_send(string json, string expected)
    {
        var error = Assert.Throws<ToolArgumentException>(() => Read(Args(json), "c"));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_snippet_too_large_for_an_argument_becomes_a_file_in_the_fresh_workspace()
    {
        var code = "print(1)\n" + new string('#', 200 << 10);

        var (request, _) = Read(Args(JsonSerializer.Serialize(new Dictionary<string, string> { ["code"] = code, ["language"] = "python" })), "c");

        Assert.Equal(["python3", "/workspace/.aisbx-snippet.py"], request.Command);
        Assert.Equal(code, request.Files[".aisbx-snippet.py"]);
    }

    [Fact]
    public void A_snippet_over_a_low_configured_cap_becomes_a_file_too()
    {
        var (request, _) = Read(Args("""{"code":"console.log(1)            ","language":"node"}"""), "c", new RequestSizeLimits { MaxArgumentBytes = 16 });

        Assert.Equal(["node", "/workspace/.aisbx-snippet.js"], request.Command);
    }

    [Fact]
    public void A_snippet_too_large_for_an_argument_is_refused_with_a_workdir_which_aisbx_never_writes()
    {
        var arguments = Args(JsonSerializer.Serialize(new Dictionary<string, string> { ["code"] = new string('#', 200 << 10), ["language"] = "python", ["workdir"] = "/tmp/project" }));

        var error = Assert.Throws<ToolArgumentException>(() => Read(arguments, "c"));

        Assert.Equal("code-size", error.Rule);
        Assert.Contains("leave out 'workdir', or save the program in the workdir and run it with 'command'", error.Message, StringComparison.Ordinal);
    }
}
