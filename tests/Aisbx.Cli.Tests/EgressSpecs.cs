using System.Text.Json;
using Aisbx.Tests.Shared;

namespace Aisbx.Cli.Tests;

/// <summary>
/// <c>aisbx run --network allowlist --allow-host</c> through the built binary: the refusal on stderr as it happens,
/// the result's <c>network</c> field, and the audit log's record of every connection, bytes included.
/// </summary>
public sealed class EgressSpecs : IDisposable
{
    private readonly LoopbackUpstream _upstream = new("127.0.0.2");
    private readonly AisbxBinary _aisbx = new();

    [Fact]
    public async Task An_allowlist_run_prints_each_refusal_as_it_happens_and_lists_every_connection_in_its_result_and_the_audit_log()
    {
        // Arrange
        var config = Path.Combine(_aisbx.Root, "egress-config");
        Directory.CreateDirectory(Path.Combine(config, "profiles"));
        await File.WriteAllTextAsync(Path.Combine(config, "config.toml"),
            "[egress]\nexempt = [\"127.0.0.2/32\"]\n\n[egress.hosts]\n\"allowed.test\" = [\"127.0.0.2\"]\n\"other.test\" = [\"127.0.0.2\"]\n", TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(Path.Combine(config, "profiles", "proxied.toml"),
            $"extends = \"python-dev\"\ndescription = \"behind the proxy\"\nallowed_networks = [\"none\", \"allowlist\"]\n\n[network]\nmode = \"none\"\nallow = [\"allowed.test:{_upstream.Port}\", \"other.test:{_upstream.Port}\"]\n",
            TestContext.Current.CancellationToken);
        var guard = "[ \"$(cat /proc/sys/kernel/hostname)\" = aisbx ] || exit 99; ";

        // Act
        var (exitCode, stdout, stderr) = await _aisbx.RunAsync("--config", config, "run", "--json", "-p", "proxied", "--network", "allowlist",
            "--allow-host", $"allowed.test:{_upstream.Port}", "--", "sh", "-c",
            guard + $"curl -sS -m 10 http://allowed.test:{_upstream.Port}/in; curl -s -m 10 -o /dev/null -w '%{{http_code}}' http://other.test:{_upstream.Port}/");

        // Assert
        Assert.True(exitCode == 0, stderr);
        Assert.Equal($"aisbx: egress refused: other.test:{_upstream.Port} (host-not-allowed)\n", stderr);
        using var document = JsonDocument.Parse(stdout);
        Assert.Equal("upstream /in\n403", document.RootElement.GetProperty("stdout").GetString());
        var network = document.RootElement.GetProperty("network");
        Assert.Equal("allowlist", network.GetProperty("mode").GetString());
        Assert.Equal([$"allowed.test:{_upstream.Port}"], network.GetProperty("allow").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal(["allowed", "refused"], network.GetProperty("connections").EnumerateArray().Select(c => c.GetProperty("verdict").GetString()).Order());

        var audit = Directory.GetFiles(Path.Combine(config, "audit"), "audit-*.jsonl").SelectMany(File.ReadLines)
            .Select(line => JsonDocument.Parse(line).RootElement.GetProperty("event").Clone())
            .Where(e => e.GetProperty("kind").GetString() == "egress").ToList();
        Assert.Equal(2, audit.Count);
        var allowed = audit.Single(e => e.GetProperty("action").GetString() == "allowed").GetProperty("egress");
        Assert.Equal(("allowed.test", _upstream.Port, "127.0.0.2"), (allowed.GetProperty("host").GetString(), allowed.GetProperty("port").GetInt32(), allowed.GetProperty("address").GetString()));
        Assert.True(allowed.GetProperty("bytesIn").GetInt64() > 0 && allowed.GetProperty("bytesOut").GetInt64() > 0);
        Assert.True(allowed.GetProperty("durationMs").GetDouble() >= 0);
    }

    public void Dispose()
    {
        _upstream.Dispose();
        _aisbx.Dispose();
    }
}
