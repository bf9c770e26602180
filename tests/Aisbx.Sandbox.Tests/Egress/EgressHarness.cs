using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Aisbx.Sandbox.Egress;

namespace Aisbx.Sandbox.Tests.Egress;

/// <summary>
/// A proxy on two loopback listeners the test made (HTTP and SOCKS5), with a small policy (names and ports
/// allowed, names denied), the test resolver, and a guard whose exempt list is exactly the test servers'
/// addresses (127.0.0.2 and 127.0.0.3). Every record the proxy gives is kept, in order.
/// </summary>
internal sealed class EgressHarness : IDisposable
{
    public static readonly IPNetwork[] TestServers = [IPNetwork.Parse("127.0.0.2/32"), IPNetwork.Parse("127.0.0.3/32")];

    private readonly Channel<EgressConnection> _records = Channel.CreateUnbounded<EgressConnection>();
    private readonly HashSet<(string, int)> _allowed = [];
    private readonly HashSet<string> _denied = new(StringComparer.OrdinalIgnoreCase);

    public EgressHarness(Func<EgressOptions, EgressOptions>? configure = null, AddressGuard? guard = null)
    {
        var options = new EgressOptions
        {
            Decide = Decide,
            Guard = guard ?? new AddressGuard(TestServers, () => []),
            Resolver = Resolver,
            OnConnection = record => _records.Writer.TryWrite(record),
        };
        Options = configure is null ? options : configure(options);
        Proxy = new EgressProxy(Options);
        HttpEndpoint = Listen(EgressProtocol.Http);
        SocksEndpoint = Listen(EgressProtocol.Socks5);
    }

    public TestResolver Resolver { get; } = new();

    public EgressOptions Options { get; }

    public EgressProxy Proxy { get; }

    public IPEndPoint HttpEndpoint { get; }

    public IPEndPoint SocksEndpoint { get; }

    public EgressHarness Allow(string host, int port)
    {
        lock (_allowed)
            _allowed.Add((host, port));
        return this;
    }

    public EgressHarness Deny(string host)
    {
        lock (_allowed)
            _denied.Add(host);
        return this;
    }

    /// <summary>The next connection the proxy recorded (refused, or ended).</summary>
    public async Task<EgressConnection> NextRecordAsync() => await _records.Reader.ReadAsync(TestContext.Current.CancellationToken);

    private (string Rule, string Message)? Decide(string host, int port)
    {
        lock (_allowed)
        {
            if (_denied.Contains(host))
                return ("host-denied", $"{host} is on the profile's deny list");
            if (!_allowed.Any(a => a.Item1 == host))
                return ("host-not-allowed", $"{host} is not on the profile's allow list; add it to [network] allow");
            if (!_allowed.Contains((host, port)))
                return ("port-not-allowed", $"port {port} is not allowed for {host}; add \"{host}:{port}\" to [network] allow");
            return null;
        }
    }

    private IPEndPoint Listen(EgressProtocol protocol)
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(64);
        var endpoint = (IPEndPoint)listener.LocalEndPoint!;
        Proxy.Serve(listener, protocol);
        return endpoint;
    }

    public void Dispose() => Proxy.Dispose();
}
