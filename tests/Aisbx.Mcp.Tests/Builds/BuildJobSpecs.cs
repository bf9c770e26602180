using Aisbx.Tests.Shared;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Aisbx.Core.Audit;
using static Aisbx.Mcp.Tests.Builds.BuildServer;

namespace Aisbx.Mcp.Tests.Builds;

/// <summary><c>POST /v1/builds</c> and <c>GET /v1/builds/{id}</c> over real HTTP on 127.0.0.1, with real mmdebstrap builds.</summary>
public partial class BuildJobSpecs
{
    private static readonly string[] BuildScope = ["build"];
    private static readonly string[] RunScope = ["run"];

    [Fact]
    public async Task A_build_is_a_job_that_shows_its_progress_is_joined_by_a_second_caller_outlives_its_client_is_hidden_from_other_keys_and_is_then_up_to_date()
    {
        // Arrange
        await using var builds = await StartAsync(new Dictionary<string, string[]?> { ["first"] = BuildScope, ["second"] = BuildScope, ["other"] = BuildScope });
        using var second = builds.Server.Client(builds.Keys["second"]);
        using var other = builds.Server.Client(builds.Keys["other"]);

        // Act
        HttpResponseMessage started;
        using (var first = builds.Server.Client(builds.Keys["first"]))
        {
            started = await first.PostAsync("/v1/builds", Json("""{"profile":"tiny"}"""), TestContext.Current.CancellationToken);
        }

        var job = await Document(started);
        var id = job.GetProperty("id").GetString()!;
        var joined = await second.PostAsync("/v1/builds", Json("""{"profile":"tiny"}"""), TestContext.Current.CancellationToken);
        var joinedJob = await Document(joined);
        var seen = await FollowAsync(second, id);
        var foreign = await other.GetAsync($"/v1/builds/{id}", TestContext.Current.CancellationToken);
        var unknown = await other.GetAsync("/v1/builds/bld-" + new string('0', 32), TestContext.Current.CancellationToken);
        var again = await FinishedAsync(second, """{"profile":"tiny"}""");

        // Assert
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        Assert.Equal($"/v1/builds/{id}", started.Headers.Location?.OriginalString);
        Assert.Matches(JobId(), id);
        Assert.Equal(("tiny", "running", false), (job.GetProperty("profile").GetString(), job.GetProperty("state").GetString(), job.GetProperty("joined").GetBoolean()));

        Assert.Equal(HttpStatusCode.Accepted, joined.StatusCode);
        Assert.Equal((id, true), (joinedJob.GetProperty("id").GetString(), joinedJob.GetProperty("joined").GetBoolean()));

        var running = seen.Where(s => s.GetProperty("state").GetString() == "running").ToList();
        Assert.Contains(running, s => s.GetProperty("progress").GetProperty("phase").GetString() is "installing essential packages" or "extracting" or "downloading");
        Assert.Contains(running, s => s.GetProperty("progress").GetProperty("done").GetInt32() > 0 && s.GetProperty("log").GetArrayLength() > 0);
        var done = seen[^1];
        Assert.True(done.GetProperty("state").GetString() == "succeeded", $"the build did not succeed: {done.GetRawText()}");
        var tree = done.GetProperty("outcome").GetProperty("tree");
        Assert.Equal("built", tree.GetProperty("state").GetString());
        Assert.Matches("^[0-9a-f]{64}$", tree.GetProperty("hash").GetString()!);
        Assert.True(tree.GetProperty("sizeBytes").GetInt64() > 1 << 20);
        Assert.False(done.GetProperty("outcome").GetProperty("cached").GetBoolean());
        Assert.InRange(done.GetProperty("log").GetArrayLength(), 1, 50);
        Assert.DoesNotContain(builds.Store, done.GetRawText(), StringComparison.Ordinal);
        Assert.Equal([tree.GetProperty("hash").GetString()!], builds.Trees());

        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(await foreign.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), await unknown.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("not-found", (await Document(foreign)).GetProperty("rule").GetString());

        Assert.Equal("succeeded", again.GetProperty("state").GetString());
        Assert.NotEqual(id, again.GetProperty("id").GetString());
        Assert.True(again.GetProperty("outcome").GetProperty("cached").GetBoolean());
        Assert.Equal(tree.GetProperty("hash").GetString(), again.GetProperty("outcome").GetProperty("tree").GetProperty("hash").GetString());
    }

    [Fact]
    public async Task A_profile_on_the_host_s_usr_is_a_job_that_succeeds_at_once_with_nothing_built()
    {
        // Arrange
        await using var builds = await StartAsync(new Dictionary<string, string[]?>());
        using var client = builds.Server.Client();

        // Act
        var onHost = await FinishedAsync(client, """{"profile":"on-host"}""");

        // Assert
        Assert.Equal("succeeded", onHost.GetProperty("state").GetString());
        var tree = onHost.GetProperty("outcome").GetProperty("tree");
        Assert.Equal(("host", ""), (tree.GetProperty("state").GetString(), tree.GetProperty("hash").GetString()));
        Assert.Empty(builds.Trees());
    }

    [Fact]
    public async Task Stopping_the_server_cancels_a_running_build_and_leaves_no_partial_tree()
    {
        // Arrange
        await using var builds = await StartAsync(new Dictionary<string, string[]?>());
        using var client = builds.Server.Client();
        var id = (await Document(await client.PostAsync("/v1/builds", Json("""{"profile":"tiny"}"""), TestContext.Current.CancellationToken))).GetProperty("id").GetString()!;
        await UntilAsync(client, id, s => s.GetProperty("log").GetArrayLength() > 0);
        Assert.Single(builds.Trees(), t => t.StartsWith(".staging-", StringComparison.Ordinal));

        // Act
        await builds.Server.StopAsync();

        // Assert
        Assert.Empty(builds.Trees());
        Assert.Equal(0, HostCommands.ProcessesNaming(builds.Store));
        var ended = new AuditLog(builds.Server.Config.AuditDirectory).Files().SelectMany(File.ReadLines)
            .Select(line => JsonDocument.Parse(line).RootElement.GetProperty("event"))
            .Single(e => e.GetProperty("kind").GetString() == "build-ended");
        Assert.Equal(("cancelled", "tiny"), (ended.GetProperty("action").GetString(), ended.GetProperty("profile").GetString()));
        Assert.StartsWith("build cancelled: tiny", ended.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refused_builds_name_the_rule_and_the_fix_with_the_right_status()
    {
        // Arrange
        await using var builds = await StartAsync(new Dictionary<string, string[]?> { ["builder"] = BuildScope, ["runner"] = RunScope });
        using var builder = builds.Server.Client(builds.Keys["builder"]);
        using var runner = builds.Server.Client(builds.Keys["runner"]);

        // Act
        var unknownProfile = await builder.PostAsync("/v1/builds", Json("""{"profile":"no-such"}"""), TestContext.Current.CancellationToken);
        var badForce = await builder.PostAsync("/v1/builds", Json("""{"profile":"tiny","force":"yes"}"""), TestContext.Current.CancellationToken);
        var extra = await builder.PostAsync("/v1/builds", Json("""{"profile":"tiny","packages":["sl"]}"""), TestContext.Current.CancellationToken);
        var noScope = await runner.PostAsync("/v1/builds", Json("""{"profile":"tiny"}"""), TestContext.Current.CancellationToken);
        var noScopeStatus = await runner.GetAsync("/v1/builds/bld-" + new string('0', 32), TestContext.Current.CancellationToken);
        var malformed = await builder.GetAsync("/v1/builds/..%2F..%2Fetc", TestContext.Current.CancellationToken);

        // Assert
        await AssertRefused(unknownProfile, HttpStatusCode.BadRequest, "profile-unknown", "no-such");
        await AssertRefused(badForce, HttpStatusCode.BadRequest, "arguments", "'force' must be true or false");
        await AssertRefused(extra, HttpStatusCode.BadRequest, "arguments", "unknown field 'packages': POST /v1/builds takes force, profile");
        await AssertRefused(noScope, HttpStatusCode.Forbidden, "scope", "may not use 'build'");
        await AssertRefused(noScopeStatus, HttpStatusCode.Forbidden, "scope", "may not use 'build'");
        await AssertRefused(malformed, HttpStatusCode.NotFound, "not-found", "no such build is here");
        Assert.Empty(builds.Trees());
    }

    private static async Task<JsonElement> Document(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement.Clone();

    private static async Task<JsonElement> FinishedAsync(HttpClient client, string body)
    {
        var started = await client.PostAsync("/v1/builds", Json(body), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        return (await FollowAsync(client, (await Document(started)).GetProperty("id").GetString()!))[^1];
    }

    private static async Task UntilAsync(HttpClient client, string id, Func<JsonElement, bool> condition)
    {
        while (true)
        {
            var status = await Document(await client.GetAsync($"/v1/builds/{id}", TestContext.Current.CancellationToken));
            Assert.Equal("running", status.GetProperty("state").GetString());
            if (condition(status))
            {
                return;
            }

            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }

    private static async Task AssertRefused(HttpResponseMessage response, HttpStatusCode status, string rule, string words)
    {
        var document = await Document(response);
        Assert.Equal(status, response.StatusCode);
        Assert.Equal(rule, document.GetProperty("rule").GetString());
        Assert.Contains(words, document.GetProperty("error").GetString(), StringComparison.Ordinal);
    }


    [GeneratedRegex("^bld-[0-9a-f]{32}$")]
    private static partial Regex JobId();
}
