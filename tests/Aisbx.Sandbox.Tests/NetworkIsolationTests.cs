using System.Net;
using System.Net.Sockets;

namespace Aisbx.Sandbox.Tests;

[Collection(nameof(RealSandboxes))]
public class NetworkIsolationTests(SandboxFixture sandbox)
{
    private const string ConnectProbe = """
        import socket
        def attempt(family, address):
            s = socket.socket(family, socket.SOCK_STREAM)
            s.settimeout(2)
            try:
                s.connect(address)
                print('CONNECTED', address)
            except OSError as e:
                print('blocked', e.errno)
        """;

    [Fact]
    public async Task The_program_cannot_reach_a_listener_on_the_host_loopback()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        var result = await sandbox.PythonAttackAsync(ConnectProbe + $"\nattempt(socket.AF_INET, ('127.0.0.1', {port}))\n");

        Assert.Contains("blocked", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("CONNECTED", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_program_cannot_reach_a_host_abstract_unix_socket()
    {
        var name = "aisbx-test-" + Guid.NewGuid().ToString("N")[..8];
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint("\0" + name));
        listener.Listen();

        var result = await sandbox.PythonAttackAsync(ConnectProbe + $"\nattempt(socket.AF_UNIX, '\\0{name}')\n");

        Assert.Contains("blocked", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("CONNECTED", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_network_host_the_same_probe_does_connect_so_the_probe_can_see_a_leak()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var guard = "import os, socket\nassert socket.gethostname() == 'aisbx' and os.getuid() == 1000\n";

        var result = await sandbox.Runner.RunAsync(
            new Core.Runs.RunRequest
            {
                Command = ["python3", "-c", guard + ConnectProbe + $"\nattempt(socket.AF_INET, ('127.0.0.1', {port}))\n"],
                Profile = "python-dev",
                Network = Core.Profiles.NetworkMode.Host,
                CaptureOutput = true,
            },
            RunIo.None,
            TestContext.Current.CancellationToken);

        Assert.Contains("CONNECTED", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_network_only_loopback_exists()
    {
        var result = await sandbox.ShAsync("ls /sys/class/net 2>/dev/null || cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d ' '");

        Assert.Equal("lo\n", result.Stdout);
    }
}
