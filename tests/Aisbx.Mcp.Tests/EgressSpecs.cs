using System.Net;
using System.Text;
using System.Text.Json;
using Aisbx.Tests.Shared;

namespace Aisbx.Mcp.Tests;

/// <summary>
/// An allowlist run over REST on 127.0.0.1: a key's grant widens the profile's list for that key alone, the
/// result's <c>network</c> lists the connection, and the metrics count it by verdict and bytes.
/// </summary>
public sealed class EgressSpecs : IDisposable
{
    private static readonly string[] RunScope = ["run", "metrics"];
    private readonly LoopbackUpstream _upstream = new("127.0.0.2");

    [Fact]
    public async Task A_key_s_grant_lets_its_runs_reach_a_host_the_profile_does_not_list_and_every_connection_is_counted()
    {
        // Arrange
        var port = _upstream.Port;
        var config = $"[egress]\nexempt = [\"127.0.0.2/32\"]\n\n[egress.hosts]\n\"granted.test\" = [\"127.0.0.2\"]\n\"listed.test\" = [\"127.0.0.2\"]\n\n[egress.grants]\n\"builder\" = [\"granted.test:{port}\"]\n";
        var profile = $"extends = \"python-dev\"\ndescription = \"behind the proxy\"\n\n[network]\nmode = \"allowlist\"\nallow = [\"listed.test:{port}\"]\n";
        var (server, keys) = await InProcessServer.StartAsync(config, new Dictionary<string, string[]?> { ["builder"] = RunScope, ["other"] = RunScope },
            new Dictionary<string, string> { ["profiles/proxied.toml"] = profile });
        await using var _ = server;
        using var builder = server.Client(keys["builder"]);
        using var other = server.Client(keys["other"]);
        var body = Body(port);

        // Act
        var granted = await builder.PostAsync("/v1/runs", body, TestContext.Current.CancellationToken);
        var refused = await other.PostAsync("/v1/runs", Body(port), TestContext.Current.CancellationToken);
        var metrics = await builder.GetStringAsync("/metrics", TestContext.Current.CancellationToken);

        // Assert
        var grantedText = await granted.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(granted.StatusCode == HttpStatusCode.OK, grantedText);
        using var result = JsonDocument.Parse(grantedText);
        Assert.Equal("upstream /in\n", result.RootElement.GetProperty("stdout").GetString());
        var connection = Assert.Single(result.RootElement.GetProperty("network").GetProperty("connections").EnumerateArray());
        Assert.Equal(("granted.test", "allowed"), (connection.GetProperty("host").GetString(), connection.GetProperty("verdict").GetString()));

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        using var refusal = JsonDocument.Parse(await refused.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("allow-host-not-granted", refusal.RootElement.GetProperty("rule").GetString());

        var lines = metrics.Split('\n');
        Assert.Contains("aisbx_egress_connections_total{verdict=\"allowed\"} 1", lines);
        Assert.Contains("aisbx_egress_connections_total{verdict=\"refused\"} 0", lines);
        var bytesIn = lines.Single(l => l.StartsWith("aisbx_egress_bytes_total{direction=\"in\"}", StringComparison.Ordinal));
        Assert.True(double.Parse(bytesIn.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture) > 0, bytesIn);
    }

    private static StringContent Body(int port) => new(
        JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["profile"] = "proxied",
            ["network"] = "allowlist",
            ["allowHosts"] = new[] { $"granted.test:{port}" },
            ["command"] = new[] { "sh", "-c", $"[ \"$(cat /proc/sys/kernel/hostname)\" = aisbx ] || exit 99; curl -sS -m 10 http://granted.test:{port}/in" },
        }),
        Encoding.UTF8,
        "application/json");

    public void Dispose() => _upstream.Dispose();
}
