using System.Text.Json;

namespace Aisbx.Mcp.Tests;

public class RunArgumentsTests
{
    private static Dictionary<string, JsonElement> Args(string json) =>
        JsonDocument.Parse(json).RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone());

    [Fact]
    public void A_python_snippet_runs_with_python3_in_python_dev()
    {
        var (request, stdin) = RunArguments.Read(Args("""{"code":"print(1)","language":"python","stdin":"in"}"""), "mcp:s1");

        Assert.Equal(["python3", "-c", "print(1)"], request.Command);
        Assert.Equal(("python-dev", "mcp:s1", "in", true), (request.Profile, request.Caller, stdin, request.CaptureOutput));
    }

    [Theory]
    [InlineData("""{"command":["true"],"timeout":2.5}""", 2500)]
    [InlineData("""{"command":["true"],"timeout":"500ms"}""", 500)]
    [InlineData("""{"command":["true"],"timeout":"2m"}""", 120_000)]
    public void Timeouts_are_seconds_or_duration_strings(string json, double expectedMs) =>
        Assert.Equal(expectedMs, RunArguments.Read(Args(json), "c").Request.WallTime!.Value.TotalMilliseconds);

    [Fact]
    public void Env_files_profile_and_network_are_carried_over()
    {
        var (request, _) = RunArguments.Read(Args("""{"command":["ls"],"profile":"strict","env":{"A":"1"},"files":{"a/b.txt":"x"},"network":"none"}"""), "c");

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
        var error = Assert.Throws<ToolArgumentException>(() => RunArguments.Read(Args(json), "c"));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
