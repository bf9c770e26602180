using System.Net.Sockets;

namespace Aisbx.Sandbox.Tests.Egress;

/// <summary>The per-sandbox caps: connections over its life, bytes in both directions together.</summary>
public class EgressCapsTests
{
    [Fact]
    public async Task The_connection_past_the_cap_is_refused_with_egress_connections_and_the_flag_is_set()
    {
        // Arrange
        using var server = new LoopbackServer("127.0.0.2", LoopbackServer.Echo);
        using var harness = new EgressHarness(o => o with { MaxConnections = 2 }).Allow("registry.example", server.Port);
        harness.Resolver.Map("registry.example", "127.0.0.2");
        var target = $"registry.example:{server.Port}";

        // Act
        var first = await ProxyClient.TunnelAsync(harness.HttpEndpoint, target);
        var second = await ProxyClient.TunnelAsync(harness.HttpEndpoint, target);
        var flagBefore = harness.Proxy.ConnectionsLimitHit;
        var third = await ProxyClient.TunnelAsync(harness.HttpEndpoint, target);
        var verdicts = new[] { await harness.NextRecordAsync(), await harness.NextRecordAsync(), await harness.NextRecordAsync() }
            .Select(r => r.Rule ?? r.Verdict).Order();

        // Assert
        Assert.Equal((200, 200), (first.Status, second.Status));
        Assert.False(flagBefore);
        Assert.Equal((403, "egress-connections"), (third.Status, third.Header("X-Aisbx-Egress-Rule")));
        Assert.Contains("made its 2 connections", third.Body, StringComparison.Ordinal);
        Assert.True(harness.Proxy.ConnectionsLimitHit);
        Assert.Equal(["allowed", "allowed", "egress-connections"], verdicts);
    }

    [Fact]
    public async Task At_the_byte_cap_every_open_connection_is_cut_and_the_next_is_refused_with_egress_bytes()
    {
        // Arrange: one idle tunnel, and one that moves 600 bytes out and 600 back, past a cap of 1000.
        using var server = new LoopbackServer("127.0.0.2", LoopbackServer.Echo);
        using var harness = new EgressHarness(o => o with { MaxBytes = 1000 }).Allow("registry.example", server.Port);
        harness.Resolver.Map("registry.example", "127.0.0.2");
        var connect = $"CONNECT registry.example:{server.Port} HTTP/1.1\r\n\r\n";
        using var idle = await ProxyClient.ConnectAsync(harness.HttpEndpoint);
        await ProxyClient.SendAsync(idle, connect);
        Assert.Equal(200, (await ProxyClient.ReadHeadAsync(idle)).Status);
        using var busy = await ProxyClient.ConnectAsync(harness.HttpEndpoint);
        await ProxyClient.SendAsync(busy, connect);
        Assert.Equal(200, (await ProxyClient.ReadHeadAsync(busy)).Status);

        // Act
        await ProxyClient.SendAsync(busy, new byte[600]);
        var busyGot = await ProxyClient.ReadToEndAsync(busy);
        var idleGot = await ProxyClient.ReadToEndAsync(idle);
        var records = new[] { await harness.NextRecordAsync(), await harness.NextRecordAsync() };
        var after = await ProxyClient.TunnelAsync(harness.HttpEndpoint, $"registry.example:{server.Port}");

        // Assert
        Assert.Equal(400, busyGot.Length);
        Assert.Empty(idleGot);
        Assert.True(harness.Proxy.BytesLimitHit);
        Assert.All(records, r => Assert.Equal(("allowed", "egress-bytes"), (r.Verdict, r.Rule)));
        Assert.Equal(1000, records.Sum(r => r.BytesOut + r.BytesIn));
        Assert.Equal((403, "egress-bytes"), (after.Status, after.Header("X-Aisbx-Egress-Rule")));
    }

    [Fact]
    public async Task Connections_beyond_the_concurrency_bound_wait_and_are_served_once_one_ends()
    {
        // Arrange
        using var server = new LoopbackServer("127.0.0.2", LoopbackServer.Echo);
        using var harness = new EgressHarness(o => o with { MaxConcurrent = 1 }).Allow("registry.example", server.Port);
        harness.Resolver.Map("registry.example", "127.0.0.2");
        var connect = $"CONNECT registry.example:{server.Port} HTTP/1.1\r\n\r\n";
        using var first = await ProxyClient.ConnectAsync(harness.HttpEndpoint);
        await ProxyClient.SendAsync(first, connect);
        Assert.Equal(200, (await ProxyClient.ReadHeadAsync(first)).Status);
        using var second = await ProxyClient.ConnectAsync(harness.HttpEndpoint);
        await ProxyClient.SendAsync(second, connect);
        var secondHead = ProxyClient.ReadHeadAsync(second);

        // Act
        first.Shutdown(SocketShutdown.Send);
        await ProxyClient.ReadToEndAsync(first);

        // Assert
        Assert.Equal(200, (await secondHead).Status);
    }
}
