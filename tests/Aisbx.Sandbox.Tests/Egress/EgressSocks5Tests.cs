using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;

namespace Aisbx.Sandbox.Tests.Egress;

/// <summary>SOCKS5 (RFC 1928) with remote name resolution: the same decision as HTTP, in SOCKS5's reply codes.</summary>
public class EgressSocks5Tests
{
    private static byte[] ConnectByName(string host, int port, byte command = 1)
    {
        var name = Encoding.ASCII.GetBytes(host);
        var request = new byte[] { 5, 1, 0, 5, command, 0, 3, (byte)name.Length }.Concat(name).Concat(new byte[2]).ToArray();
        BinaryPrimitives.WriteUInt16BigEndian(request.AsSpan(^2), (ushort)port);
        return request;
    }

    private static async Task<byte[]> NegotiateAsync(Socket client, byte[] request)
    {
        await ProxyClient.SendAsync(client, request);
        var method = await ProxyClient.ReadExactlyAsync(client, 2);
        Assert.Equal(new byte[] { 5, 0 }, method);
        return await ProxyClient.ReadExactlyAsync(client, 10);
    }

    [Fact]
    public async Task An_allowed_name_is_resolved_by_the_proxy_and_tunnelled()
    {
        // Arrange
        using var server = new LoopbackServer("127.0.0.2", LoopbackServer.Echo);
        using var harness = new EgressHarness().Allow("crates.example", server.Port);
        harness.Resolver.Map("crates.example", "127.0.0.2");
        using var client = await ProxyClient.ConnectAsync(harness.SocksEndpoint);

        // Act
        var reply = await NegotiateAsync(client, ConnectByName("crates.example", server.Port));
        await ProxyClient.SendAsync(client, "socks payload");
        var echoed = await ProxyClient.ReadExactlyAsync(client, 13);
        client.Shutdown(SocketShutdown.Send);
        await ProxyClient.ReadToEndAsync(client);
        var record = await harness.NextRecordAsync();

        // Assert
        Assert.Equal(new byte[] { 5, 0, 0, 1, 0, 0, 0, 0, 0, 0 }, reply);
        Assert.Equal("socks payload", Encoding.ASCII.GetString(echoed));
        Assert.Equal(("socks5", "crates.example", "allowed", 13L, 13L), (record.Protocol, record.Host, record.Verdict, record.BytesOut, record.BytesIn));
    }

    [Theory]
    [InlineData("unlisted.example", "127.0.0.2", "host-not-allowed")]
    [InlineData("metadata.example", "169.254.169.254", "address-reserved")]
    public async Task A_refused_name_gets_reply_0x02_and_the_rule_is_recorded(string host, string address, string rule)
    {
        // Arrange
        using var harness = new EgressHarness().Allow("metadata.example", 80);
        harness.Resolver.Map(host, address);
        using var client = await ProxyClient.ConnectAsync(harness.SocksEndpoint);

        // Act
        var reply = await NegotiateAsync(client, ConnectByName(host, 80));
        var record = await harness.NextRecordAsync();

        // Assert
        Assert.Equal(2, reply[1]);
        Assert.Equal(("socks5", host, "refused", rule), (record.Protocol, record.Host, record.Verdict, record.Rule));
    }

    [Fact]
    public async Task An_IPv4_target_is_decided_as_a_literal_and_a_reserved_one_gets_0x02()
    {
        // Arrange
        using var harness = new EgressHarness().Allow("10.0.0.1", 443);
        using var client = await ProxyClient.ConnectAsync(harness.SocksEndpoint);

        // Act
        var reply = await NegotiateAsync(client, [5, 1, 0, 5, 1, 0, 1, 10, 0, 0, 1, 1, 187]);
        var record = await harness.NextRecordAsync();

        // Assert
        Assert.Equal(2, reply[1]);
        Assert.Equal(("10.0.0.1", 443, "address-reserved"), (record.Host, record.Port, record.Rule));
    }

    [Fact]
    public async Task A_name_that_does_not_resolve_gets_0x04_and_a_closed_port_0x05()
    {
        // Arrange
        int closedPort;
        using (var closed = new LoopbackServer("127.0.0.2", LoopbackServer.Echo))
            closedPort = closed.Port;
        using var harness = new EgressHarness().Allow("gone.example", 443).Allow("down.example", closedPort);
        harness.Resolver.Map("down.example", "127.0.0.2");
        using var first = await ProxyClient.ConnectAsync(harness.SocksEndpoint);
        using var second = await ProxyClient.ConnectAsync(harness.SocksEndpoint);

        // Act
        var unresolved = await NegotiateAsync(first, ConnectByName("gone.example", 443));
        var refused = await NegotiateAsync(second, ConnectByName("down.example", closedPort));

        // Assert
        Assert.Equal((4, 5), (unresolved[1], refused[1]));
    }

    [Fact]
    public async Task BIND_is_not_supported_and_gets_0x07_and_an_unknown_address_type_0x08()
    {
        // Arrange
        using var harness = new EgressHarness().Allow("crates.example", 443);
        using var bind = await ProxyClient.ConnectAsync(harness.SocksEndpoint);
        using var unknown = await ProxyClient.ConnectAsync(harness.SocksEndpoint);

        // Act
        var bindReply = await NegotiateAsync(bind, ConnectByName("crates.example", 443, command: 2));
        var unknownReply = await NegotiateAsync(unknown, [5, 1, 0, 5, 1, 0, 9, 0, 0]);

        // Assert
        Assert.Equal((7, 8), (bindReply[1], unknownReply[1]));
    }

    [Fact]
    public async Task A_client_that_offers_only_username_authentication_is_told_no_method_is_acceptable()
    {
        // Arrange
        using var harness = new EgressHarness();
        using var client = await ProxyClient.ConnectAsync(harness.SocksEndpoint);

        // Act
        await ProxyClient.SendAsync(client, [5, 1, 2]);
        var reply = await ProxyClient.ReadToEndAsync(client);

        // Assert
        Assert.Equal(new byte[] { 5, 0xFF }, reply);
    }
}
