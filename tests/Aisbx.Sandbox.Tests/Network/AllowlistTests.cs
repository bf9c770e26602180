using Aisbx.Core.Runs;
using Aisbx.Core.Security;
using Aisbx.Sandbox.Live;

namespace Aisbx.Sandbox.Tests.Network;

/// <summary>
/// <c>network = "allowlist"</c> end to end: real sandboxes (empty network namespace, the launcher's listeners on
/// 127.0.0.1:3128 and :1080 inside), real curl and python3 in python-dev's tree, the host-side proxy, and a
/// loopback upstream that the test starts.
/// </summary>
[Collection(nameof(AllowlistSandboxes))]
public class AllowlistTests(AllowlistFixture fixture)
{
    private int Port => fixture.Upstream.Port;

    [Fact]
    public async Task An_allowed_plain_GET_a_CONNECT_tunnel_and_a_SOCKS5_connection_reach_the_server_and_each_is_on_the_record()
    {
        // Act
        var (result, events) = await fixture.RunAsync(
            $"curl -sS -m 10 http://allowed.test:{Port}/plain && curl -sS -m 10 -p http://allowed.test:{Port}/tunnel && " +
            $"curl -sS -m 10 -x socks5h://127.0.0.1:1080 http://sub.wild.test:{Port}/socks");

        // Assert
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal("upstream /plain\nupstream /tunnel\nupstream /socks\n", result.Stdout);
        var plain = fixture.Upstream.Requests.Single(r => r.Contains(" /plain ", StringComparison.Ordinal));
        Assert.StartsWith("GET /plain HTTP/1.1\r\n", plain, StringComparison.Ordinal);
        Assert.DoesNotContain("proxy-", plain, StringComparison.OrdinalIgnoreCase);

        var network = result.Network!;
        Assert.Equal("allowlist", network.Mode);
        Assert.Equal(["connect", "http", "socks5"], network.Connections.Select(c => c.Protocol).Order());
        Assert.All(network.Connections, c =>
        {
            Assert.Equal(("allowed", "127.0.0.2", Port), (c.Verdict, c.Address, c.Port));
            Assert.True(c.BytesOut > 0 && c.BytesIn > 0, $"bytes each way: {c.BytesOut} out, {c.BytesIn} in");
        });
        Assert.Equal(network.Connections.Sum(c => c.BytesIn), network.BytesIn);
        var egress = events.Where(e => e.Kind == SecurityEventKind.Egress).ToList();
        Assert.Equal(3, egress.Count);
        Assert.All(egress, e => Assert.Equal(("allowed", result.SandboxId), (e.Action, e.SandboxId)));
    }

    [Fact]
    public async Task A_name_a_port_or_a_denied_name_off_the_list_is_refused_with_a_403_that_names_the_rule()
    {
        // Arrange
        var before = fixture.Upstream.Connections;
        const string Head = "curl -s -m 10 -o /dev/null -D -";

        // Act
        var (result, events) = await fixture.RunAsync(
            $"{Head} http://other.test:{Port}/; {Head} http://allowed.test:{Port + 1}/; {Head} http://denied.wild.test:{Port}/; " +
            $"curl -s -m 10 -p -o /dev/null -w 'connect %{{http_connect}}\\n' http://other.test:{Port}/");

        // Assert
        var stdout = result.Stdout.Replace("\r", "", StringComparison.Ordinal);
        Assert.Equal(3, stdout.Split('\n').Count(l => l.StartsWith("HTTP/1.1 403", StringComparison.Ordinal)));
        Assert.Contains("x-aisbx-egress-rule: host-not-allowed", stdout, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("x-aisbx-egress-rule: port-not-allowed", stdout, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("x-aisbx-egress-rule: host-denied", stdout, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("connect 403", stdout, StringComparison.Ordinal);
        Assert.Equal(before, fixture.Upstream.Connections);

        Assert.Equal(4, result.Network!.Refused);
        var refused = events.Where(e => e.Kind == SecurityEventKind.Egress && e.Action == "refused").ToList();
        Assert.Equal(["host-denied", "host-not-allowed", "host-not-allowed", "port-not-allowed"], refused.Select(e => e.Egress!.Rule).Order());
        Assert.All(refused, e => Assert.Equal(Severity.Medium, e.Severity));
    }

    [Theory]
    [InlineData("metadata.test", "address-reserved")]
    [InlineData("lan.test", "address-reserved")]
    [InlineData("loopback.test", "address-host-own")] // 127.0.0.1 is lo's own address, the first rule it meets
    [InlineData("split.test", "address-reserved")]
    public async Task A_listed_name_that_resolves_to_a_reserved_address_is_refused_before_any_connection(string name, string rule)
    {
        // Arrange
        var before = fixture.Upstream.Connections;

        // Act
        var (result, events) = await fixture.RunAsync($"curl -s -m 10 -o /dev/null -D - http://{name}:{Port}/");

        // Assert
        Assert.StartsWith("HTTP/1.1 403", result.Stdout, StringComparison.Ordinal);
        Assert.Contains($"x-aisbx-egress-rule: {rule}", result.Stdout, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(before, fixture.Upstream.Connections);
        var refusal = Assert.Single(events, e => e.Kind == SecurityEventKind.Egress);
        Assert.Equal(("refused", Severity.High, rule), (refusal.Action, refusal.Severity, refusal.Egress!.Rule));
    }

    [Fact]
    public async Task A_program_that_ignores_the_proxy_reaches_nothing()
    {
        // Arrange
        var before = fixture.Upstream.Connections;
        var probe = $$"""
            import socket
            for address in [('127.0.0.2', {{Port}}), ('192.0.2.2', {{Port}}), ('203.0.113.80', 443), ('1.1.1.1', 80)]:
                s = socket.socket()
                s.settimeout(3)
                try:
                    s.connect(address)
                    print('CONNECTED', address)
                except OSError as e:
                    print('blocked', address[0], e.errno)
            u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            try:
                u.sendto(b'x', ('8.8.8.8', 53))
                print('SENT')
            except OSError as e:
                print('blocked udp', e.errno)
            """;

        // Act
        var (result, _) = await fixture.RunAsync($"python3 - <<'EOF'\n{probe}\nEOF\n");

        // Assert
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal(5, result.Stdout.Split('\n').Count(l => l.StartsWith("blocked", StringComparison.Ordinal)));
        Assert.DoesNotContain("CONNECTED", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("SENT", result.Stdout, StringComparison.Ordinal);
        Assert.Equal(before, fixture.Upstream.Connections);
        Assert.Empty(result.Network!.Connections);
    }

    [Fact]
    public async Task The_proxy_variables_point_pip_npm_curl_git_cargo_and_go_at_it_in_both_cases()
    {
        // Act
        var (result, _) = await fixture.RunAsync("env | grep -i '_proxy=' | sort");

        // Assert
        Assert.Equal(
            "ALL_PROXY=socks5h://127.0.0.1:1080\nHTTPS_PROXY=http://127.0.0.1:3128\nHTTP_PROXY=http://127.0.0.1:3128\nNO_PROXY=localhost,127.0.0.1,::1\n" +
            "all_proxy=socks5h://127.0.0.1:1080\nhttp_proxy=http://127.0.0.1:3128\nhttps_proxy=http://127.0.0.1:3128\nno_proxy=localhost,127.0.0.1,::1\n",
            result.Stdout);
    }

    [Fact]
    public async Task The_program_trusts_the_host_s_certificate_authorities_not_only_its_tree_s()
    {
        // Arrange
        var host = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes("/etc/ssl/certs/ca-certificates.crt")));

        // Act
        var (allowlist, _) = await fixture.RunAsync("sha256sum /etc/ssl/certs/ca-certificates.crt | cut -c1-64");
        var (none, _) = await fixture.RunAsync("sha256sum /etc/ssl/certs/ca-certificates.crt | cut -c1-64", "python-dev");

        // Assert
        Assert.Equal(host + "\n", allowlist.Stdout);
        Assert.NotEqual(host + "\n", none.Stdout);
    }

    [Fact]
    public async Task A_connection_still_open_when_the_sandbox_ends_is_closed_with_it()
    {
        // Act: the run is ended by its wall-clock limit while its tunnel is open.
        var (result, _) = await fixture.RunAsync($"curl -s -m 60 -p http://allowed.test:{Port}/hold", timeout: TimeSpan.FromSeconds(3));

        // Assert
        Assert.True(result.TimedOut);
        Assert.True(fixture.Upstream.HeldConnectionOpen.Task.IsCompleted, "the tunnel reached the upstream before the sandbox ended");
        await fixture.Upstream.HeldConnectionClosed.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        var held = Assert.Single(result.Network!.Connections);
        Assert.Equal(("connect", "allowed"), (held.Protocol, held.Verdict));
    }

    [Fact]
    public async Task The_proxy_s_caps_refuse_the_connection_past_the_count_and_cut_the_bytes_past_the_budget_as_limit_hits()
    {
        // Act
        var (counted, _) = await fixture.RunAsync(
            string.Concat(Enumerable.Repeat($"curl -s -m 10 -o /dev/null -w '%{{http_code}} ' http://allowed.test:{Port}/; ", 3)), "egress-two-connections");
        var (budget, _) = await fixture.RunAsync($"curl -s -m 10 -o /dev/null -w '%{{size_download}}' http://allowed.test:{Port}/bytes/4194304", "egress-small-budget");

        // Assert
        Assert.Equal("200 200 403 ", counted.Stdout);
        Assert.Contains(counted.LimitHits, h => h.Limit == "egress-connections" && h.Value == 2);
        Assert.True(long.Parse(budget.Stdout, System.Globalization.CultureInfo.InvariantCulture) < 4194304, $"downloaded {budget.Stdout} bytes past a 256K budget");
        Assert.Contains(budget.LimitHits, h => h.Limit == "egress-bytes" && h.Value == 256 * 1024);
    }

    [Fact]
    public async Task A_live_sandbox_keeps_its_proxy_for_every_exec_and_reports_its_connections()
    {
        // Arrange
        var live = await fixture.Runner.StartLiveAsync(new LiveSandboxRequest { Caller = "test", Profile = "egress" }, null, TestContext.Current.CancellationToken);

        // Act
        var first = await live.ExecAsync(Sh($"curl -sS -m 10 http://allowed.test:{Port}/first"), TestContext.Current.CancellationToken);
        var second = await live.ExecAsync(Sh($"curl -sS -m 10 -p http://allowed.test:{Port}/second; curl -s -m 10 -o /dev/null -w '%{{http_code}}' http://other.test:{Port}/"), TestContext.Current.CancellationToken);
        // A connection's record is made as it ends, just after curl saw the end: wait for it, within a bound.
        SpinWait.SpinUntil(() => live.Network.Connections.Length == 3, TimeSpan.FromSeconds(10));
        var network = live.Network;
        live.Dispose();
        await live.Ended.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        // Assert
        Assert.Equal("upstream /first\n", first.Stdout);
        Assert.Equal("upstream /second\n403", second.Stdout);
        Assert.Equal(["allowed", "allowed", "refused"], network.Connections.Select(c => c.Verdict).Order());
    }

    [Fact]
    public async Task The_proxy_s_listeners_live_exactly_as_long_as_the_sandbox()
    {
        // Arrange
        var before = ProxyListeners.Count();
        var live = await fixture.Runner.StartLiveAsync(new LiveSandboxRequest { Caller = "test", Profile = "egress" }, null, TestContext.Current.CancellationToken);

        // Act
        var whileUp = ProxyListeners.Count();
        live.Dispose();
        await live.Ended.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        var (run, _) = await fixture.RunAsync("true");
        var after = ProxyListeners.Count();

        // Assert
        Assert.True((before, whileUp, after) == (0, 2, 0), $"listeners before, while up and after: {(before, whileUp, after)}");
        Assert.Equal(0, run.ExitCode);
    }

    private static LiveExecRequest Sh(string script) => new() { Command = ["/bin/sh", "-c", SandboxFixture.InsideGuard + script] };
}
