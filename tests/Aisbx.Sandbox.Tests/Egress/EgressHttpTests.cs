using System.Net.Sockets;
using System.Text;
using Aisbx.Sandbox.Egress;

namespace Aisbx.Sandbox.Tests.Egress;

/// <summary>The HTTP proxy on real loopback sockets: a tunnel, a forwarded request, refusals and failures.</summary>
public class EgressHttpTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_allowed_CONNECT_tunnels_bytes_both_ways_and_is_recorded_with_its_address()
    {
        // Arrange
        using var server = new LoopbackServer("127.0.0.2", LoopbackServer.Echo);
        using var harness = new EgressHarness().Allow("registry.example", server.Port);
        harness.Resolver.Map("registry.example", "127.0.0.2");
        using var client = await ProxyClient.ConnectAsync(harness.HttpEndpoint);

        // Act
        await ProxyClient.SendAsync(client, $"CONNECT registry.example:{server.Port} HTTP/1.1\r\nHost: registry.example:{server.Port}\r\n\r\n");
        var head = await ProxyClient.ReadHeadAsync(client);
        await ProxyClient.SendAsync(client, "hello through the tunnel");
        var echoed = await ProxyClient.ReadExactlyAsync(client, 24);
        client.Shutdown(SocketShutdown.Send);
        var rest = await ProxyClient.ReadToEndAsync(client);
        var record = await harness.NextRecordAsync();

        // Assert
        Assert.Equal(200, head.Status);
        Assert.Equal("hello through the tunnel", Encoding.ASCII.GetString(echoed));
        Assert.Empty(rest);
        Assert.Equal(("connect", "registry.example", server.Port, "allowed", null), (record.Protocol, record.Host, record.Port, record.Verdict, record.Rule));
        Assert.Equal($"127.0.0.2:{server.Port}", record.Address);
        Assert.Equal((24, 24), (record.BytesOut, record.BytesIn));
    }

    [Fact]
    public async Task Bytes_the_client_sends_right_after_its_CONNECT_head_reach_the_server()
    {
        // Arrange
        using var server = new LoopbackServer("127.0.0.2", LoopbackServer.Echo);
        using var harness = new EgressHarness().Allow("registry.example", server.Port);
        harness.Resolver.Map("registry.example", "127.0.0.2");
        using var client = await ProxyClient.ConnectAsync(harness.HttpEndpoint);

        // Act: the head and a first payload in one write, as a client sending its TLS hello early does.
        await ProxyClient.SendAsync(client, $"CONNECT registry.example:{server.Port} HTTP/1.1\r\n\r\nearly");
        var head = await ProxyClient.ReadHeadAsync(client);
        var echoed = await ProxyClient.ReadExactlyAsync(client, 5);

        // Assert
        Assert.Equal(200, head.Status);
        Assert.Equal("early", Encoding.ASCII.GetString(echoed));
    }

    [Fact]
    public async Task An_allowed_plain_GET_reaches_the_server_in_origin_form_with_its_host_and_without_proxy_headers()
    {
        // Arrange
        var seen = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var server = new LoopbackServer("127.0.0.2", async (socket, ct) =>
        {
            seen.TrySetResult(await ProxyClient.ReadRequestHeadAsync(socket, ct));
            await socket.SendAsync("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n\r\nhello"u8.ToArray(), SocketFlags.None, ct);
            socket.Shutdown(SocketShutdown.Send);
        });
        using var harness = new EgressHarness().Allow("pypi.example", server.Port);
        harness.Resolver.Map("pypi.example", "127.0.0.2");

        // Act
        var response = await ProxyClient.RequestAsync(harness.HttpEndpoint,
            $"GET http://pypi.example:{server.Port}/simple/pkg/?q=1 HTTP/1.1\r\nHost: elsewhere.example\r\nUser-Agent: pip\r\n" +
            "Proxy-Authorization: Basic c2VjcmV0\r\nProxy-Connection: keep-alive\r\nConnection: keep-alive, X-Drop-Me\r\nX-Drop-Me: 1\r\n\r\n");
        var request = await seen.Task;
        var record = await harness.NextRecordAsync();

        // Assert
        Assert.Equal(
            $"GET /simple/pkg/?q=1 HTTP/1.1\r\nHost: pypi.example:{server.Port}\r\nUser-Agent: pip\r\nConnection: close\r\n\r\n",
            request);
        Assert.Equal((200, "hello", "close"), (response.Status, response.Body, response.Header("Connection")));
        Assert.Null(response.Header("Keep-Alive"));
        Assert.Equal(("http", "allowed"), (record.Protocol, record.Verdict));
        Assert.Equal((request.Length, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello".Length), (record.BytesOut, record.BytesIn));
    }

    [Fact]
    public async Task A_forwarded_request_body_reaches_the_server_after_the_rewritten_head()
    {
        // Arrange
        var seen = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var server = new LoopbackServer("127.0.0.2", async (socket, ct) =>
        {
            var head = await ProxyClient.ReadRequestHeadAsync(socket, ct);
            var body = new byte[11];
            for (var filled = 0; filled < body.Length;)
                filled += await socket.ReceiveAsync(body.AsMemory(filled), SocketFlags.None, ct);
            seen.TrySetResult(head + Encoding.ASCII.GetString(body));
            await socket.SendAsync("HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n"u8.ToArray(), SocketFlags.None, ct);
            socket.Shutdown(SocketShutdown.Send);
        });
        using var harness = new EgressHarness().Allow("api.example", server.Port);
        harness.Resolver.Map("api.example", "127.0.0.2");

        // Act
        var response = await ProxyClient.RequestAsync(harness.HttpEndpoint,
            $"POST http://api.example:{server.Port}/upload HTTP/1.1\r\nContent-Length: 11\r\n\r\nhello world");

        // Assert
        Assert.Equal(201, response.Status);
        Assert.EndsWith("Content-Length: 11\r\nConnection: close\r\n\r\nhello world", await seen.Task, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("unlisted.example", 443, "host-not-allowed")]
    [InlineData("registry.example", 8443, "port-not-allowed")]
    [InlineData("denied.example", 443, "host-denied")]
    public async Task A_CONNECT_the_policy_refuses_is_a_403_that_names_its_rule_and_nothing_is_resolved(string host, int port, string rule)
    {
        // Arrange
        using var harness = new EgressHarness().Allow("registry.example", 443).Allow("denied.example", 443).Deny("denied.example");
        harness.Resolver.Map(host, "127.0.0.2");

        // Act
        var response = await ProxyClient.RequestAsync(harness.HttpEndpoint, $"CONNECT {host}:{port} HTTP/1.1\r\n\r\n");
        var record = await harness.NextRecordAsync();

        // Assert
        Assert.Equal(403, response.Status);
        Assert.Equal(rule, response.Header("X-Aisbx-Egress-Rule"));
        Assert.StartsWith("text/plain", response.Header("Content-Type"), StringComparison.Ordinal);
        Assert.Equal("close", response.Header("Connection"));
        Assert.StartsWith($"aisbx: egress to {host}:{port} refused ({rule}): ", response.Body, StringComparison.Ordinal);
        Assert.EndsWith("\n", response.Body, StringComparison.Ordinal);
        Assert.Single(response.Body.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(0, harness.Resolver.TotalCalls);
        Assert.Equal(("refused", rule, host, port), (record.Verdict, record.Rule, record.Host, record.Port));
    }

    [Fact]
    public async Task A_plain_GET_the_policy_refuses_is_a_403_that_names_its_rule()
    {
        // Arrange
        using var harness = new EgressHarness();

        // Act
        var response = await ProxyClient.RequestAsync(harness.HttpEndpoint, "GET http://unlisted.example/ HTTP/1.1\r\nHost: unlisted.example\r\n\r\n");

        // Assert
        Assert.Equal((403, "host-not-allowed"), (response.Status, response.Header("X-Aisbx-Egress-Rule")));
        Assert.StartsWith("aisbx: egress to unlisted.example:80 refused (host-not-allowed): ", response.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_name_that_does_not_resolve_is_a_502_network_failure_not_a_refusal()
    {
        // Arrange
        using var harness = new EgressHarness().Allow("gone.example", 443);

        // Act
        var response = await ProxyClient.RequestAsync(harness.HttpEndpoint, "CONNECT gone.example:443 HTTP/1.1\r\n\r\n");
        var record = await harness.NextRecordAsync();

        // Assert
        Assert.Equal((502, "dns", null), (response.Status, response.Header("X-Aisbx-Egress-Error"), response.Header("X-Aisbx-Egress-Rule")));
        Assert.StartsWith("aisbx: egress to gone.example:443 failed (dns): ", response.Body, StringComparison.Ordinal);
        Assert.Equal(("failed", "dns"), (record.Verdict, record.Rule));
    }

    [Fact]
    public async Task A_server_that_refuses_the_connection_is_a_502_connect_refused()
    {
        // Arrange: a port that was just listened on and closed again.
        int port;
        using (var closed = new LoopbackServer("127.0.0.2", LoopbackServer.Echo))
            port = closed.Port;
        using var harness = new EgressHarness().Allow("down.example", port);
        harness.Resolver.Map("down.example", "127.0.0.2");

        // Act
        var response = await ProxyClient.RequestAsync(harness.HttpEndpoint, $"CONNECT down.example:{port} HTTP/1.1\r\n\r\n");
        var record = await harness.NextRecordAsync();

        // Assert
        Assert.Equal((502, "connect-refused"), (response.Status, response.Header("X-Aisbx-Egress-Error")));
        Assert.Equal(("failed", "connect-refused", $"127.0.0.2:{port}"), (record.Verdict, record.Rule, record.Address));
    }

    [Fact]
    public async Task An_IP_literal_target_is_decided_by_the_policy_and_checked_by_the_guard_without_the_resolver()
    {
        // Arrange
        using var server = new LoopbackServer("127.0.0.2", LoopbackServer.Echo);
        using var harness = new EgressHarness().Allow("127.0.0.2", server.Port).Allow("169.254.169.254", 80);

        // Act
        var allowed = await ProxyClient.TunnelAsync(harness.HttpEndpoint, $"127.0.0.2:{server.Port}");
        var metadata = await ProxyClient.RequestAsync(harness.HttpEndpoint, "GET http://169.254.169.254/latest/meta-data/ HTTP/1.1\r\n\r\n");
        var unlisted = await ProxyClient.RequestAsync(harness.HttpEndpoint, $"CONNECT 127.0.0.3:{server.Port} HTTP/1.1\r\n\r\n");

        // Assert
        Assert.Equal(200, allowed.Status);
        Assert.Equal((403, "address-reserved"), (metadata.Status, metadata.Header("X-Aisbx-Egress-Rule")));
        Assert.Contains("169.254.0.0/16 (link-local)", metadata.Body, StringComparison.Ordinal);
        Assert.Equal((403, "host-not-allowed"), (unlisted.Status, unlisted.Header("X-Aisbx-Egress-Rule")));
        Assert.Equal(0, harness.Resolver.TotalCalls);
    }
}
