using Aisbx.Core.Profiles;
using Aisbx.Core.Runs;
using Aisbx.Server;

namespace Aisbx.Mcp.Tests;

/// <summary>The metrics of a fresh server, scraped over real HTTP before anything happened.</summary>
public class MetricsSpecs
{
    [Fact]
    public async Task A_fresh_server_shows_every_known_series_at_zero_from_the_first_scrape()
    {
        var (server, _) = await InProcessServer.StartAsync("", new Dictionary<string, string[]?>());
        await using var _ = server;
        using var client = server.Client();

        var text = await client.GetStringAsync("/metrics", TestContext.Current.CancellationToken);

        var expected = new List<string>
        {
            "aisbx_auth_failures_total 0",
            "aisbx_rate_limit_hits_total 0",
            "aisbx_sandboxes_running 0",
            "aisbx_run_duration_seconds_count 0",
        };
        expected.AddRange(new[] { "low", "medium", "high", "critical" }.Select(s => $"aisbx_security_violations_total{{kind=\"seccomp\",severity=\"{s}\"}} 0"));
        expected.AddRange(ProfileCatalog.BuiltInNames.SelectMany(p => ServerMetrics.Outcomes.Select(o => $"aisbx_runs_total{{profile=\"{p}\",outcome=\"{o}\"}} 0")));
        expected.AddRange(LimitKind.All.Select(k => $"aisbx_limit_hits_total{{kind=\"{k.Name}\"}} 0"));
        expected.AddRange(new[] { "caller", "address" }.Select(k => $"aisbx_suspensions_total{{kind=\"{k}\"}} 0"));
        expected.AddRange(new[] { "allowed", "refused", "failed" }.Select(v => $"aisbx_egress_connections_total{{verdict=\"{v}\"}} 0"));
        expected.AddRange(new[] { "out", "in" }.Select(d => $"aisbx_egress_bytes_total{{direction=\"{d}\"}} 0"));
        expected.Add("aisbx_pool_hits_total 0");
        expected.AddRange(Sandbox.Pool.PoolMiss.All.Select(r => $"aisbx_pool_misses_total{{reason=\"{r}\"}} 0"));
        var lines = text.Split('\n');
        Assert.All(expected, series => Assert.Contains(series, lines));
        Assert.Equal(8 * 4, lines.Count(l => l.StartsWith("aisbx_runs_total{", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_profile_of_the_operator_s_own_has_its_run_series_from_the_start()
    {
        var (server, _) = await InProcessServer.StartAsync("", new Dictionary<string, string[]?>(),
            new Dictionary<string, string> { ["profiles/team.toml"] = "extends = \"default\"\ndescription = \"ours\"\n" });
        await using var _ = server;
        using var client = server.Client();

        var text = await client.GetStringAsync("/metrics", TestContext.Current.CancellationToken);

        Assert.Contains("aisbx_runs_total{profile=\"team\",outcome=\"ok\"} 0", text.Split('\n'));
    }
}
