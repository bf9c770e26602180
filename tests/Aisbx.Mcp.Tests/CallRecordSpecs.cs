using System.Net;
using System.Text;
using System.Text.Json;
using Aisbx.Core.Audit;

namespace Aisbx.Mcp.Tests;

/// <summary>
/// Every call to the service is on the record as a <c>tool-call</c> event, whatever came of it and whichever surface
/// it came through, over real HTTP on 127.0.0.1.
/// </summary>
public partial class CallRecordSpecs
{
    private static readonly string[] Everything = ["*"];
    private static readonly string[] RunOnly = ["run"];

    private static readonly Dictionary<string, string> OnHost = new() { ["profiles/on-host.toml"] = "extends = \"minimal\"\ndescription = \"the host's /usr\"\nrootfs = \"host\"\n" };

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>The tool-call events in the audit log of a stopped server: caller, detail, action, profile.</summary>
    private static List<(string Caller, string Detail, string Action, string Profile)> ToolCalls(InProcessServer server) =>
        [.. new AuditLog(server.Config.AuditDirectory).Files().SelectMany(File.ReadLines)
            .Select(line => JsonDocument.Parse(line).RootElement.GetProperty("event"))
            .Where(e => e.GetProperty("kind").GetString() == "tool-call")
            .Select(e => (e.GetProperty("caller").GetString()!, e.GetProperty("detail").GetString()!, e.GetProperty("action").GetString()!, e.GetProperty("profile").GetString()!))];

    [Fact]
    public async Task Listing_profiles_and_starting_a_build_over_rest_are_on_the_record_refused_calls_too()
    {
        var (server, keys) = await InProcessServer.StartAsync("", new Dictionary<string, string[]?> { ["ops"] = Everything, ["runner"] = RunOnly }, OnHost);
        await using var _ = server;
        using var ops = server.Client(keys["ops"]);
        using var runner = server.Client(keys["runner"]);

        var listed = await ops.GetAsync("/v1/profiles", TestContext.Current.CancellationToken);
        var built = await ops.PostAsync("/v1/builds", Json("""{"profile":"on-host"}"""), TestContext.Current.CancellationToken);
        var listRefused = await runner.GetAsync("/v1/profiles", TestContext.Current.CancellationToken);
        var buildRefused = await runner.PostAsync("/v1/builds", Json("""{"profile":"on-host"}"""), TestContext.Current.CancellationToken);
        await server.StopAsync();
        var calls = ToolCalls(server);

        Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, built.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, listRefused.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, buildRefused.StatusCode);
        Assert.Equal(4, calls.Count);
        Assert.Contains(calls, c => c is { Caller: "key:ops", Action: "listed" } && c.Detail.StartsWith("profile-list ok: ", StringComparison.Ordinal));
        Assert.Contains(calls, c => c is { Caller: "key:ops", Action: "started", Profile: "on-host" } && c.Detail.StartsWith("build started: on-host bld-", StringComparison.Ordinal));
        Assert.Contains(calls, c => c is { Caller: "key:runner", Detail: "profile-list refused: scope", Action: "refused" });
        Assert.Contains(calls, c => c is { Caller: "key:runner", Detail: "build refused: scope", Action: "refused" });
    }

    [Fact]
    public async Task The_same_calls_over_mcp_and_over_rest_leave_the_same_events()
    {
        var (server, keys) = await InProcessServer.StartAsync("", new Dictionary<string, string[]?> { ["ops"] = Everything, ["runner"] = RunOnly }, OnHost);
        await using var _ = server;
        using var ops = server.Client(keys["ops"]);
        using var runner = server.Client(keys["runner"]);
        using var opsMcp = new McpHttp(new Uri(server.BaseUrl, "/mcp"), keys["ops"]);
        using var runnerMcp = new McpHttp(new Uri(server.BaseUrl, "/mcp"), keys["runner"]);
        await opsMcp.InitializeAsync();
        await runnerMcp.InitializeAsync();
        static string Call(string tool, string arguments) => $$$"""{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"{{{tool}}}","arguments":{{{arguments}}}}}""";

        await ops.GetAsync("/v1/profiles", TestContext.Current.CancellationToken);
        var restBuild = await ops.PostAsync("/v1/builds", Json("""{"profile":"on-host"}"""), TestContext.Current.CancellationToken);
        // Ended before the MCP call of the same build, which would otherwise join it.
        await Builds.BuildServer.FollowAsync(ops, JsonDocument.Parse(await restBuild.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement.GetProperty("id").GetString()!);
        await ops.PostAsync("/v1/builds", Json("""{"profile":"no-such"}"""), TestContext.Current.CancellationToken);
        await runner.PostAsync("/v1/builds", Json("""{"profile":"on-host"}"""), TestContext.Current.CancellationToken);
        await opsMcp.PostAsync(Call("aisbx-profile-list", "{}"));
        await opsMcp.PostAsync(Call("aisbx-build", """{"profile":"on-host"}"""));
        await opsMcp.PostAsync(Call("aisbx-build", """{"profile":"no-such"}"""));
        await runnerMcp.PostAsync(Call("aisbx-build", """{"profile":"on-host"}"""));
        await server.StopAsync();
        // Each build is a job of its own: the same call leaves the same event but for the job's id.
        var calls = ToolCalls(server).Where(c => !c.Detail.StartsWith("build-status ", StringComparison.Ordinal)).Select(c => c with { Detail = JobId().Replace(c.Detail, "bld-ID") }).ToList();

        Assert.Equal(8, calls.Count);
        var rest = calls.Take(4).ToList();
        var mcp = calls.Skip(4).ToList();
        Assert.Equal(rest, mcp);
        Assert.Equal(["profile-list ok", "build started", "build refused", "build refused"], rest.Select(c => c.Detail.Split(':')[0]));
        Assert.Equal("build started: on-host bld-ID", rest[1].Detail);
        Assert.Equal("build refused: profile-unknown", rest[2].Detail);
        Assert.Equal("build refused: scope", rest[3].Detail);
    }

    [System.Text.RegularExpressions.GeneratedRegex("bld-[0-9a-f]{32}")]
    private static partial System.Text.RegularExpressions.Regex JobId();
}
