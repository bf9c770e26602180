using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Aisbx.Mcp.Tests;

/// <summary>
/// The server's warm pool, over real HTTP: one-shot runs take sandboxes started ahead, the metrics count them, and a
/// pooled sandbox serves one run only.
/// </summary>
public class PoolSpecs
{
    private static readonly string[] Everything = ["*"];

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task Runs_take_waiting_sandboxes_the_metrics_count_them_and_no_run_sees_what_the_one_before_left()
    {
        // Arrange
        var (server, keys) = await InProcessServer.StartAsync("[pool]\nsize = 2\n", new Dictionary<string, string[]?> { ["ops"] = Everything });
        await using var _ = server;
        using var ops = server.Client(keys["ops"]);
        var first = await RunAsync(ops, """{"command":["true"]}"""); // the profile's first use: its pool starts, and it waits for one
        await WaitReadyAsync(ops, 2);

        // Act
        var writer = await RunAsync(ops, """{"command":["sh","-c","echo secret > /workspace/left; echo secret > /tmp/left; (setsid sleep 1000 >/dev/null 2>&1 &); ls /workspace"]}""");
        await WaitReadyAsync(ops, 2);
        var reader = await RunAsync(ops, """{"command":["sh","-c","ls -A /workspace /tmp; ps -eo comm= | grep -c sleep; true"]}""");
        var metrics = (await ops.GetStringAsync("/metrics", Cancel)).Split('\n');

        // Assert
        Assert.Equal((0, "left\n"), (writer.GetProperty("exitCode").GetInt32(), writer.GetProperty("stdout").GetString()));
        Assert.Equal("/tmp:\n\n/workspace:\n0\n", reader.GetProperty("stdout").GetString());
        Assert.NotEqual(writer.GetProperty("sandboxId").GetString(), reader.GetProperty("sandboxId").GetString());
        Assert.Equal(0, first.GetProperty("exitCode").GetInt32());
        Assert.Contains("aisbx_pool_hits_total 3", metrics);
        Assert.Contains("aisbx_pool_misses_total{reason=\"empty\"} 0", metrics);
    }

    [Fact]
    public async Task A_server_started_again_has_a_sandbox_waiting_for_each_profile_its_config_ran_lately()
    {
        // Arrange: a first server (the real binary) runs default once, and is stopped.
        var config = McpServerProcess.PrivateConfig("[server]\nrequests_per_minute = 100000\n[pool]\nsize = 1\n");
        string[] args = ["--default-signal=TERM", McpServerProcess.Binary, "--transport", "http", "--port", "0", "--config", config];
        try
        {
            using (var first = McpServerProcess.Start("/usr/bin/env", args))
            {
                using var client = new HttpClient { BaseAddress = await CrashSweepSpecs.ServingUrlAsync(first) };
                using var ran = await client.PostAsync("/v1/runs", Json("""{"command":["true"]}"""), Cancel);
                Assert.Equal(HttpStatusCode.OK, ran.StatusCode);
                await Until(() => File.Exists(Path.Combine(config, "state", "pool-profiles")));
                await Aisbx.Tests.Shared.HostCommands.StopAsync(first);
            }

            // Act: the next server on the same config, before any run.
            using var second = McpServerProcess.Start("/usr/bin/env", args);
            using var next = new HttpClient { BaseAddress = await CrashSweepSpecs.ServingUrlAsync(second) };
            try
            {
                // Assert: default's sandbox is waiting, and its first run takes it.
                await Until(async () => (await next.GetStringAsync("/metrics", Cancel)).Contains("aisbx_pool_ready{profile=\"default\"} 1", StringComparison.Ordinal));
                using var run = await next.PostAsync("/v1/runs", Json("""{"command":["true"]}"""), Cancel);
                var metrics = (await next.GetStringAsync("/metrics", Cancel)).Split('\n');
                Assert.Equal(HttpStatusCode.OK, run.StatusCode);
                Assert.Contains("aisbx_pool_hits_total 1", metrics);
                Assert.DoesNotContain(metrics, line => line.StartsWith("aisbx_pool_misses_total{", StringComparison.Ordinal) && !line.EndsWith(" 0", StringComparison.Ordinal));
            }
            finally
            {
                await Aisbx.Tests.Shared.HostCommands.StopAsync(second);
            }
        }
        finally
        {
            Directory.Delete(config, recursive: true);
        }
    }

    private static Task Until(Func<bool> condition) => Until(() => Task.FromResult(condition()));

    private static async Task Until(Func<Task<bool>> condition)
    {
        var giveUp = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < giveUp, "the condition did not hold in 30 s");
            await Task.Delay(50, Cancel);
        }
    }

    [Fact]
    public async Task A_pool_of_size_zero_starts_nothing_and_counts_its_runs_as_misses()
    {
        // Arrange
        var (server, keys) = await InProcessServer.StartAsync("[pool]\nsize = 0\n", new Dictionary<string, string[]?> { ["ops"] = Everything });
        await using var _ = server;
        using var ops = server.Client(keys["ops"]);

        // Act
        await RunAsync(ops, """{"command":["true"]}""");
        await RunAsync(ops, """{"command":["true"]}""");
        await Task.Delay(300, Cancel);
        var metrics = (await ops.GetStringAsync("/metrics", Cancel)).Split('\n');

        // Assert
        Assert.Contains("aisbx_pool_misses_total{reason=\"disabled\"} 2", metrics);
        Assert.Contains("aisbx_pool_hits_total 0", metrics);
        Assert.DoesNotContain(metrics, l => l.StartsWith("aisbx_pool_ready{", StringComparison.Ordinal) && !l.EndsWith(" 0", StringComparison.Ordinal));
    }

    private static async Task<JsonElement> RunAsync(HttpClient client, string body)
    {
        var response = await client.PostAsync("/v1/runs", Json(body), Cancel);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>(Cancel);
    }

    private static async Task WaitReadyAsync(HttpClient client, int count)
    {
        var giveUp = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!(await client.GetStringAsync("/metrics", Cancel)).Split('\n').Contains($"aisbx_pool_ready{{profile=\"default\"}} {count}"))
        {
            Assert.True(DateTime.UtcNow < giveUp, $"the pool did not reach {count} waiting sandboxes in 60 s");
            await Task.Delay(20, Cancel);
        }
    }
}
