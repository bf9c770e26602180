using System.Net.Sockets;
using Aisbx.Sandbox.Egress;

namespace Aisbx.Sandbox.Tests.Egress;

/// <summary>The proxy lives as long as its sandbox: Dispose closes the listeners and every connection.</summary>
public class EgressDisposeTests
{
    [Fact]
    public async Task Dispose_ends_an_open_tunnel_records_it_and_no_listener_accepts_afterwards()
    {
        // Arrange
        using var server = new LoopbackServer("127.0.0.2", LoopbackServer.Echo);
        var records = new List<EgressConnection>();
        var harness = new EgressHarness(o => o with { OnConnection = r => { lock (records) records.Add(r); } }).Allow("registry.example", server.Port);
        harness.Resolver.Map("registry.example", "127.0.0.2");
        using var client = await ProxyClient.ConnectAsync(harness.HttpEndpoint);
        await ProxyClient.SendAsync(client, $"CONNECT registry.example:{server.Port} HTTP/1.1\r\n\r\n");
        Assert.Equal(200, (await ProxyClient.ReadHeadAsync(client)).Status);

        // Act
        harness.Dispose();
        var rest = await ProxyClient.ReadToEndAsync(client);
        var refusedHttp = await Assert.ThrowsAsync<SocketException>(() => ProxyClient.ConnectAsync(harness.HttpEndpoint));
        var refusedSocks = await Assert.ThrowsAsync<SocketException>(() => ProxyClient.ConnectAsync(harness.SocksEndpoint));

        // Assert
        Assert.Empty(rest);
        lock (records)
        {
            Assert.Equal(("connect", "allowed", server.Port), Assert.Single(records) is var r ? (r.Protocol, r.Verdict, r.Port) : default);
        }
        Assert.Equal(SocketError.ConnectionRefused, refusedHttp.SocketErrorCode);
        Assert.Equal(SocketError.ConnectionRefused, refusedSocks.SocketErrorCode);
        Assert.Single(harness.Proxy.Connections);
    }

    [Fact]
    public async Task An_observer_that_throws_does_not_stop_the_proxy()
    {
        // Arrange
        var seen = System.Threading.Channels.Channel.CreateUnbounded<EgressConnection>();
        using var harness = new EgressHarness(o => o with
        {
            OnConnection = r =>
            {
                seen.Writer.TryWrite(r);
                throw new InvalidOperationException("observer");
            },
        });

        // Act
        var first = await ProxyClient.RequestAsync(harness.HttpEndpoint, "CONNECT a.example:443 HTTP/1.1\r\n\r\n");
        var firstRecord = await seen.Reader.ReadAsync(TestContext.Current.CancellationToken);
        var second = await ProxyClient.RequestAsync(harness.HttpEndpoint, "CONNECT b.example:443 HTTP/1.1\r\n\r\n");
        var secondRecord = await seen.Reader.ReadAsync(TestContext.Current.CancellationToken);

        // Assert
        Assert.Equal((403, 403), (first.Status, second.Status));
        Assert.Equal(("a.example", "b.example"), (firstRecord.Host, secondRecord.Host));
    }
}
