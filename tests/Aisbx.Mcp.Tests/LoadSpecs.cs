using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using Aisbx.Core.Audit;
using Aisbx.Core.Security;

namespace Aisbx.Mcp.Tests;

/// <summary>
/// A bounded load on loopback only: 2,000 requests, 50 in flight, against the real aisbx-mcp binary. No 5xx, every
/// audit event accounted for, and the server's memory steady.
/// </summary>
public partial class LoadSpecs
{
    private const int Requests = 2000;
    private const int InFlight = 50;

    [Fact]
    public async Task Two_thousand_requests_fifty_in_flight_no_5xx_no_lost_audit_event_steady_memory()
    {
        var config = McpServerProcess.PrivateConfig("[server]\nrequests_per_minute = 1000000\nauth_failures_before_lockout = 1000000\nmax_running = 8\n");
        var key = new ApiKeys(Path.Combine(config, "keys.json"), TimeProvider.System).Create("load", null, ["*"]).Key;
        using var server = McpServerProcess.Start(McpServerProcess.Binary, ["--transport", "http", "--port", "0", "--config", config]);
        Uri? url = null;
        while (url is null && await server.StandardError.ReadLineAsync(TestContext.Current.CancellationToken) is { } line)
        {
            if (Serving().Match(line) is { Success: true } match)
            {
                url = new Uri(match.Groups[1].Value);
            }
        }

        _ = DrainAsync(server.StandardError);
        Assert.NotNull(url);
        using var http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromMinutes(2) };
        try
        {
            // Every 4th request carries a wrong key (an audited auth failure); every 20th runs a sandbox (audited
            // tool call); the rest read the profiles.
            async Task<int> Send(int i)
            {
                using var request = i % 4 == 0
                    ? new HttpRequestMessage(HttpMethod.Get, "/v1/profiles")
                    : i % 20 == 1
                        ? new HttpRequestMessage(HttpMethod.Post, "/v1/runs") { Content = new StringContent("""{"command":["true"]}""", Encoding.UTF8, "application/json") }
                        : new HttpRequestMessage(HttpMethod.Get, "/v1/profiles");
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", i % 4 == 0 ? "aisbx_wrong" : key);
                using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
                return (int)response.StatusCode;
            }

            var statuses = new int[Requests];
            long rssAfterWarmUp = 0;
            using var slots = new SemaphoreSlim(InFlight);
            var tasks = new List<Task>();
            for (var i = 0; i < Requests; i++)
            {
                await slots.WaitAsync(TestContext.Current.CancellationToken);
                var index = i;
                tasks.Add(Task.Run(async () =>
                {
                    try
                    {
                        statuses[index] = await Send(index);
                    }
                    finally
                    {
                        slots.Release();
                    }
                }, TestContext.Current.CancellationToken));
                if (i == Requests / 4)
                {
                    rssAfterWarmUp = Rss(server.Id);
                }
            }

            await Task.WhenAll(tasks);
            var rssAtEnd = Rss(server.Id);

            Assert.DoesNotContain(statuses, s => s >= 500);
            Assert.Equal(Requests / 4, statuses.Count(s => s == 401));
            Assert.Equal(Requests - (Requests / 4), statuses.Count(s => s == 200));
            Assert.True(rssAtEnd < rssAfterWarmUp + (96L << 20), $"the server grew from {rssAfterWarmUp >> 20} MiB to {rssAtEnd >> 20} MiB");
        }
        finally
        {
            // SIGTERM: a clean stop writes out whatever the audit writer still holds.
            _ = Kill(server.Id, 15);
            await server.WaitForExitAsync(TestContext.Current.CancellationToken);
        }

        var log = new AuditLog(Path.Combine(config, "audit"));
        var verdict = AuditVerifier.Verify(log);
        var lines = log.Files().SelectMany(File.ReadLines).ToList();
        Assert.True(verdict.Intact, verdict.Message);
        Assert.Equal(Requests / 4, lines.Count(l => l.Contains("\"kind\":\"auth-failure\"", StringComparison.Ordinal)));
        Assert.Equal(Enumerable.Range(0, Requests).Count(i => i % 4 != 0 && i % 20 == 1), lines.Count(l => l.Contains("\"detail\":\"run ran: exit 0", StringComparison.Ordinal)));
        Directory.Delete(config, recursive: true);
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill")]
    private static extern int Kill(int pid, int signal);

    private static long Rss(int pid)
    {
        var line = File.ReadLines($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }

    private static async Task DrainAsync(StreamReader reader)
    {
        while (await reader.ReadLineAsync() is not null)
        {
        }
    }

    [GeneratedRegex("serving MCP at (http://\\S+)/mcp")]
    private static partial Regex Serving();
}
