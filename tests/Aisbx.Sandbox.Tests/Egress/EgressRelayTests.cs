using System.Net.Sockets;
using System.Security.Cryptography;

namespace Aisbx.Sandbox.Tests.Egress;

/// <summary>The relay, splicing and copying: every byte through unchanged and counted, and the byte cap exact.</summary>
public class EgressRelayTests
{
    private const int Size = 16 << 20;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Sixteen_MiB_each_way_arrive_unchanged_and_are_counted(bool splice)
    {
        // Arrange: the server sends its own 16 MiB while it reads the client's; each side checks what it got.
        var down = RandomNumberGenerator.GetBytes(Size);
        var up = RandomNumberGenerator.GetBytes(Size);
        var received = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var server = new LoopbackServer("127.0.0.2", async (socket, ct) =>
        {
            var send = socket.SendAsync(down, SocketFlags.None, ct).AsTask();
            var got = await ReadAll(socket, Size, ct);
            await send;
            received.TrySetResult(got);
            socket.Shutdown(SocketShutdown.Send);
        });
        using var harness = new EgressHarness(o => o with { Splice = splice }).Allow("bulk.example", server.Port);
        harness.Resolver.Map("bulk.example", "127.0.0.2");
        using var client = await ProxyClient.ConnectAsync(harness.HttpEndpoint);
        await ProxyClient.SendAsync(client, $"CONNECT bulk.example:{server.Port} HTTP/1.1\r\n\r\n");
        Assert.Equal(200, (await ProxyClient.ReadHeadAsync(client)).Status);

        // Act
        var sending = ProxyClient.SendAsync(client, up);
        var got = await ReadAll(client, Size, TestContext.Current.CancellationToken);
        await sending;
        client.Shutdown(SocketShutdown.Send);
        var record = await harness.NextRecordAsync();

        // Assert
        var atServer = await received.Task;
        Assert.True(down.SequenceEqual(got), "the bytes toward the sandbox differ");
        Assert.True(up.SequenceEqual(atServer), "the bytes from the sandbox differ");
        Assert.Equal(((long)Size, (long)Size, "allowed"), (record.BytesOut, record.BytesIn, record.Verdict));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_byte_cap_lets_exactly_its_bytes_through_then_cuts(bool splice)
    {
        // Arrange
        using var server = new LoopbackServer("127.0.0.2", async (socket, ct) =>
            await socket.SendAsync(new byte[1 << 20], SocketFlags.None, ct));
        using var harness = new EgressHarness(o => o with { Splice = splice, MaxBytes = 300_000 }).Allow("bulk.example", server.Port);
        harness.Resolver.Map("bulk.example", "127.0.0.2");
        using var client = await ProxyClient.ConnectAsync(harness.HttpEndpoint);
        await ProxyClient.SendAsync(client, $"CONNECT bulk.example:{server.Port} HTTP/1.1\r\n\r\n");
        Assert.Equal(200, (await ProxyClient.ReadHeadAsync(client)).Status);

        // Act
        var got = await ProxyClient.ReadToEndAsync(client);
        var record = await harness.NextRecordAsync();

        // Assert
        Assert.Equal(300_000, got.Length);
        Assert.Equal((300_000L, "egress-bytes"), (record.BytesIn, record.Rule));
        Assert.True(harness.Proxy.BytesLimitHit);
    }

    private static async Task<byte[]> ReadAll(Socket socket, int count, CancellationToken cancellationToken)
    {
        var buffer = new byte[count];
        for (var filled = 0; filled < count;)
        {
            var read = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, cancellationToken);
            if (read == 0)
                break;
            filled += read;
        }
        return buffer;
    }
}
