using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Aisbx.Tests.Shared;

namespace Aisbx.Mcp.Tests.Sandboxes;

/// <summary>
/// Live sandboxes end with their server: SIGTERM closes and records each one; after SIGKILL they die with it, the
/// next server sweeps what is left, and an old handle says the server was restarted.
/// </summary>
public class SandboxShutdownSpecs
{
    [DllImport("libc", EntryPoint = "kill")]
    private static extern int Kill(int pid, int signal);

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task Sigterm_closes_every_live_sandbox_and_records_each()
    {
        // Arrange
        var tag = Random.Shared.Next(100_000, 999_999).ToString(CultureInfo.InvariantCulture);
        var config = McpServerProcess.PrivateConfig("");
        var temp = new Dictionary<string, string> { ["TMPDIR"] = FreshWorkspaces.PrivateTemp() };
        using var server = McpServerProcess.Start("/usr/bin/env", ["--default-signal=INT,TERM", McpServerProcess.Binary, "--transport", "http", "--port", "0", "--config", config], temp);
        try
        {
            using var client = new HttpClient { BaseAddress = await CrashSweepSpecs.ServingUrlAsync(server) };
            var ids = new List<string>();
            for (var i = 0; i < 2; i++)
            {
                var id = await SandboxRestSpecs.CreateAsync(client);
                await client.PostAsync($"/v1/sandboxes/{id}/exec", Json($$"""{"command": ["sleep", "4{{tag}}"], "background": true}"""), Cancel);
                ids.Add(id);
            }

            // Polled: once, the second program was not yet in /proc when its exec had been answered (cause not found).
            Assert.Equal(2, await Processes.MatchingWithinAsync($"sleep 4{tag}", 2, TimeSpan.FromSeconds(5)));

            // Act
            Assert.Equal(0, Kill(server.Id, 15));
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
            wait.CancelAfter(TimeSpan.FromSeconds(20));
            await server.WaitForExitAsync(wait.Token);

            // Assert
            Assert.Equal(0, await Processes.MatchingAfterAsync($"sleep 4{tag}", TimeSpan.FromSeconds(5)));
            var audit = string.Concat(Directory.GetFiles(Path.Combine(config, "audit"), "audit-*.jsonl").Select(File.ReadAllText));
            foreach (var id in ids)
            {
                Assert.Contains(audit.Split('\n'), line => line.Contains("\"sandbox-closed\"", StringComparison.Ordinal)
                    && line.Contains("server-stopped", StringComparison.Ordinal) && line.Contains(id, StringComparison.Ordinal));
                Assert.Empty(FreshWorkspaces.CgroupsOf(id));
            }
        }
        finally
        {
            if (!server.HasExited)
            {
                server.Kill(); // A failure before the SIGTERM: its sandboxes die with it.
                await server.WaitForExitAsync(Cancel);
            }

            Directory.Delete(config, recursive: true);
            Directory.Delete(temp["TMPDIR"], recursive: true);
        }
    }

    [Fact]
    public async Task After_sigkill_nothing_is_left_once_the_server_restarts_and_an_old_handle_says_why()
    {
        // Arrange
        var tag = Random.Shared.Next(100_000, 999_999).ToString(CultureInfo.InvariantCulture);
        var config = McpServerProcess.PrivateConfig("");
        var temp = new Dictionary<string, string> { ["TMPDIR"] = FreshWorkspaces.PrivateTemp() };
        using var first = McpServerProcess.Start(McpServerProcess.Binary, ["--transport", "http", "--port", "0", "--config", config], temp);
        string id;
        List<string> groups;
        using (var client = new HttpClient { BaseAddress = await CrashSweepSpecs.ServingUrlAsync(first) })
        {
            id = await SandboxRestSpecs.CreateAsync(client);
            await client.PostAsync($"/v1/sandboxes/{id}/exec", Json($$"""{"command": ["sleep", "4{{tag}}"], "background": true}"""), Cancel);
            groups = FreshWorkspaces.CgroupsOf(id);
        }

        Assert.Equal(1, await Processes.MatchingWithinAsync($"sleep 4{tag}", 1, TimeSpan.FromSeconds(5)));
        first.Kill();
        await first.WaitForExitAsync(Cancel);

        // Act
        using var second = McpServerProcess.Start(McpServerProcess.Binary, ["--transport", "http", "--port", "0", "--config", config], temp);
        using var again = new HttpClient { BaseAddress = await CrashSweepSpecs.ServingUrlAsync(second) };
        var stale = await again.PostAsync($"/v1/sandboxes/{id}/exec", Json("""{"command": ["true"]}"""), Cancel);
        var body = await stale.Content.ReadFromJsonAsync<JsonElement>(Cancel);

        // Assert
        try
        {
            Assert.Equal(0, await Processes.MatchingAfterAsync($"sleep 4{tag}", TimeSpan.FromSeconds(5)));
            Assert.True(groups.Count > 0 || Environment.UserName != "root", "as root, a live sandbox has cgroups");
            Assert.All(groups, group => Assert.False(Directory.Exists(group), $"cgroup {group} was left behind"));
            Assert.Empty(Directory.GetFiles(FreshWorkspaces.BaseIn(temp["TMPDIR"]), id + "*"));
            Assert.Equal(HttpStatusCode.Gone, stale.StatusCode);
            Assert.Contains("server was restarted", body.GetProperty("error").GetString(), StringComparison.Ordinal);
        }
        finally
        {
            second.Kill();
            await second.WaitForExitAsync(Cancel);
            Directory.Delete(config, recursive: true);
            Directory.Delete(temp["TMPDIR"], recursive: true);
        }
    }
}
