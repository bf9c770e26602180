using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Aisbx.Sandbox.Tests.Egress;

/// <summary>
/// The connection goes to the address that was checked, and the name is resolved once: a DNS that answers a
/// checked address first and another one after (rebinding) gets nowhere with its second answer.
/// </summary>
public class EgressPinningTests
{
    [Fact]
    public async Task A_rebinding_name_is_resolved_once_and_the_connection_reaches_the_checked_address()
    {
        // Arrange
        using var a = new LoopbackServer("127.0.0.2", (s, ct) => s.SendAsync("A"u8.ToArray(), SocketFlags.None, ct).AsTask());
        using var b = new LoopbackServer("127.0.0.3", (s, ct) => s.SendAsync("B"u8.ToArray(), SocketFlags.None, ct).AsTask());
        using var harness = new EgressHarness().Allow("rebind.example", a.Port);
        harness.Resolver.MapInTurn("rebind.example", [IPAddress.Parse("127.0.0.2")], [IPAddress.Parse("127.0.0.3")]);
        using var client = await ProxyClient.ConnectAsync(harness.HttpEndpoint);

        // Act
        await ProxyClient.SendAsync(client, $"CONNECT rebind.example:{a.Port} HTTP/1.1\r\n\r\n");
        var head = await ProxyClient.ReadHeadAsync(client);
        var first = await ProxyClient.ReadExactlyAsync(client, 1);

        // Assert
        Assert.Equal(200, head.Status);
        Assert.Equal("A", Encoding.ASCII.GetString(first));
        Assert.Equal(1, harness.Resolver.Calls("rebind.example"));
        Assert.Equal(0, b.Connections);
    }

    [Fact]
    public async Task A_plain_GET_connects_to_the_checked_address_and_not_through_another_resolver()
    {
        // Arrange: the name exists only in the test resolver; any other resolver would fail to find it.
        var seen = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var server = new LoopbackServer("127.0.0.3", async (socket, ct) =>
        {
            seen.TrySetResult(await ProxyClient.ReadRequestHeadAsync(socket, ct));
            await socket.SendAsync("HTTP/1.1 204 No Content\r\n\r\n"u8.ToArray(), SocketFlags.None, ct);
            socket.Shutdown(SocketShutdown.Send);
        });
        using var harness = new EgressHarness().Allow("pinned.invalid", server.Port);
        harness.Resolver.MapInTurn("pinned.invalid", [IPAddress.Parse("127.0.0.3")], [IPAddress.Parse("10.0.0.1")]);

        // Act
        var response = await ProxyClient.RequestAsync(harness.HttpEndpoint, $"GET http://pinned.invalid:{server.Port}/ HTTP/1.1\r\n\r\n");

        // Assert
        Assert.Equal(204, response.Status);
        Assert.StartsWith("GET / HTTP/1.1\r\n", await seen.Task, StringComparison.Ordinal);
        Assert.Equal(1, harness.Resolver.Calls("pinned.invalid"));
    }
}
