// The egress proxy against a direct connection, on loopback, in one run:
//   setup       connect + first byte from the server (direct) vs connect + CONNECT + 200 + first byte (proxied)
//   throughput  a server writes BYTES and closes; the client reads to the end: direct, and through a CONNECT
//               tunnel with the relay splicing (the default) and copying through buffers
// Usage: dotnet run -c Release --project bench/egress -- [SETUPS] [GIB] [ROUNDS]   (defaults 500, 2, 3)
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Aisbx.Sandbox.Egress;

var setups = args.Length > 0 ? int.Parse(args[0]) : 500;
var bytes = (args.Length > 1 ? long.Parse(args[1]) : 2) << 30;
var rounds = args.Length > 2 ? int.Parse(args[2]) : 3;

using var firstByte = Server.Start(async s => await s.SendAsync(new byte[] { 42 }));
using var source = Server.Start(async s =>
{
    var chunk = new byte[256 * 1024];
    for (long sent = 0; sent < bytes;)
        sent += await s.SendAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, bytes - sent)));
});

var options = new EgressOptions
{
    Decide = (_, _) => null,
    Guard = new AddressGuard([IPNetwork.Parse("127.0.0.2/32")]),
    Resolver = new SystemResolver(new Dictionary<string, IPAddress[]> { ["bench.example"] = [IPAddress.Parse("127.0.0.2")] }),
    MaxConnections = int.MaxValue,
    MaxBytes = long.MaxValue,
};
using var proxy = new EgressProxy(options);
using var copyingProxy = new EgressProxy(options with { Splice = false });
IPEndPoint Listen(EgressProxy proxy)
{
    var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
    listener.Listen(512);
    proxy.Serve(listener, EgressProtocol.Http);
    return (IPEndPoint)listener.LocalEndPoint!;
}
var splicing = Listen(proxy);
var copying = Listen(copyingProxy);
var proxyEndpoint = splicing;

var buffer = new byte[Relay.BufferSize];
async Task<Socket> Open(IPEndPoint server, bool proxied)
{
    var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
    if (!proxied)
    {
        await socket.ConnectAsync(server);
        return socket;
    }
    await socket.ConnectAsync(proxyEndpoint);
    await socket.SendAsync(Encoding.ASCII.GetBytes($"CONNECT bench.example:{server.Port} HTTP/1.1\r\nHost: bench.example:{server.Port}\r\n\r\n"));
    // The proxy's 200 is 39 bytes; read exactly it, so the server's bytes stay in the stream.
    for (var got = 0; got < EgressAnswers.Established.Length;)
        got += await socket.ReceiveAsync(buffer.AsMemory(got, EgressAnswers.Established.Length - got));
    if (buffer[9] != (byte)'2')
        throw new InvalidOperationException("the proxy refused: " + Encoding.ASCII.GetString(buffer, 0, 39));
    return socket;
}

async Task<double> Setup(bool proxied)
{
    var start = Stopwatch.GetTimestamp();
    using var socket = await Open(firstByte.Endpoint, proxied);
    if (await socket.ReceiveAsync(buffer.AsMemory(0, 1)) != 1)
        throw new InvalidOperationException("no first byte");
    return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
}

async Task<double> Throughput(bool proxied)
{
    var start = Stopwatch.GetTimestamp();
    using var socket = await Open(source.Endpoint, proxied);
    long total = 0;
    int read;
    while ((read = await socket.ReceiveAsync(buffer)) > 0)
        total += read;
    if (total != bytes)
        throw new InvalidOperationException($"got {total} of {bytes} bytes");
    return bytes / Stopwatch.GetElapsedTime(start).TotalSeconds / 1e9;
}

static double Median(List<double> values)
{
    values.Sort();
    return values.Count % 2 == 1 ? values[values.Count / 2] : (values[values.Count / 2 - 1] + values[values.Count / 2]) / 2;
}

for (var i = 0; i < 50; i++)
{
    await Setup(false);
    await Setup(true);
}
List<double> direct = [], proxied = [];
for (var i = 0; i < setups; i++)
{
    direct.Add(await Setup(false));
    proxied.Add(await Setup(true));
}
var (d, p) = (Median(direct), Median(proxied));
Console.WriteLine($"setup (median of {setups}, interleaved): direct {d:0.000} ms, proxied {p:0.000} ms, added {p - d:0.000} ms ({p / d:0.00}x)");

List<double> directRates = [], splicedRates = [], copiedRates = [];
for (var i = 0; i < rounds; i++)
{
    directRates.Add(await Throughput(false));
    proxyEndpoint = splicing;
    splicedRates.Add(await Throughput(true));
    proxyEndpoint = copying;
    copiedRates.Add(await Throughput(true));
}
var (dr, sr, cr) = (Median(directRates), Median(splicedRates), Median(copiedRates));
Console.WriteLine($"throughput (median of {rounds} x {bytes >> 30} GiB, interleaved): direct {dr:0.00} GB/s, " +
    $"proxied by splice {sr:0.00} GB/s ({sr / dr:0.00}x), proxied by copy {cr:0.00} GB/s ({cr / dr:0.00}x)");
Console.WriteLine($"the proxies recorded {proxy.Connections.Count + proxy.DroppedConnections + copyingProxy.Connections.Count} connections, " +
    $"{proxy.BytesRelayed + copyingProxy.BytesRelayed} bytes relayed");

/// <summary>A loopback server on 127.0.0.2 that runs one action per connection, then closes it.</summary>
sealed class Server : IDisposable
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

    public IPEndPoint Endpoint => (IPEndPoint)_listener.LocalEndPoint!;

    public static Server Start(Func<Socket, Task> serve)
    {
        var server = new Server();
        server._listener.Bind(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 0));
        server._listener.Listen(512);
        _ = Task.Run(async () =>
        {
            while (true)
            {
                var socket = await server._listener.AcceptAsync();
                socket.NoDelay = true;
                _ = Task.Run(async () =>
                {
                    using (socket)
                    {
                        try
                        {
                            await serve(socket);
                            socket.Shutdown(SocketShutdown.Send);
                        }
                        catch (SocketException)
                        {
                        }
                    }
                });
            }
        });
        return server;
    }

    public void Dispose() => _listener.Dispose();
}
