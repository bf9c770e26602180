using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Aisbx.Sandbox.Egress;

namespace Aisbx.Sandbox.Tests.Egress;

/// <summary>
/// Every address that is not public is refused, by the name that resolves to it: loopback, private, CGNAT,
/// link-local (the metadata service), ULA, multicast, the IPv4 forms carried in IPv6, and the host's own.
/// </summary>
public class AddressGuardTests
{
    [Theory]
    [InlineData("10.0.0.1", "10.0.0.0/8 (private)")]
    [InlineData("172.16.0.1", "172.16.0.0/12 (private)")]
    [InlineData("192.168.1.1", "192.168.0.0/16 (private)")]
    [InlineData("100.64.0.1", "100.64.0.0/10 (CGNAT)")]
    [InlineData("169.254.169.254", "169.254.0.0/16 (link-local)")]
    [InlineData("127.0.0.1", "127.0.0.0/8 (loopback)")]
    [InlineData("0.0.0.0", "0.0.0.0/8 (this network)")]
    [InlineData("192.0.0.8", "192.0.0.0/24 (IETF protocol assignments)")]
    [InlineData("198.18.0.1", "198.18.0.0/15 (benchmarking)")]
    [InlineData("224.0.0.251", "224.0.0.0/4 (multicast)")]
    [InlineData("240.0.0.1", "240.0.0.0/4 (reserved)")]
    [InlineData("255.255.255.255", "255.255.255.255/32 (broadcast)")]
    [InlineData("::", "::/128 (unspecified)")]
    [InlineData("::1", "::1/128 (loopback)")]
    [InlineData("fc00::1", "fc00::/7 (unique local)")]
    [InlineData("fd12:3456::1", "fc00::/7 (unique local)")]
    [InlineData("fe80::1", "fe80::/10 (link-local)")]
    [InlineData("ff02::1", "ff00::/8 (multicast)")]
    [InlineData("100::1", "100::/64 (discard)")]
    [InlineData("::ffff:10.0.0.1", "10.0.0.0/8 (private)")]
    [InlineData("::ffff:169.254.169.254", "169.254.0.0/16 (link-local)")]
    [InlineData("::ffff:127.0.0.1", "127.0.0.0/8 (loopback)")]
    [InlineData("::10.0.0.1", "10.0.0.0/8 (private)")]
    [InlineData("64:ff9b::a9fe:a9fe", "169.254.0.0/16 (link-local)")]
    [InlineData("64:ff9b::7f00:1", "127.0.0.0/8 (loopback)")]
    [InlineData("2002:a9fe:a9fe::1", "169.254.0.0/16 (link-local)")]
    [InlineData("2002:c0a8:0101::1", "192.168.0.0/16 (private)")]
    public async Task A_name_that_resolves_to_a_reserved_address_is_refused_with_a_403_that_names_the_range(string address, string range)
    {
        // Arrange
        using var harness = new EgressHarness().Allow("rebound.example", 443);
        harness.Resolver.Map("rebound.example", address);

        // Act
        var response = await ProxyClient.RequestAsync(harness.HttpEndpoint, "CONNECT rebound.example:443 HTTP/1.1\r\n\r\n");
        var record = await harness.NextRecordAsync();

        // Assert
        Assert.Equal(403, response.Status);
        Assert.Equal("address-reserved", response.Header("X-Aisbx-Egress-Rule"));
        Assert.StartsWith($"aisbx: egress to rebound.example:443 refused (address-reserved): rebound.example resolves to {IPAddress.Parse(address)}", response.Body, StringComparison.Ordinal);
        Assert.Contains($"in {range}", response.Body, StringComparison.Ordinal);
        Assert.Equal(("refused", "address-reserved"), (record.Verdict, record.Rule));
    }

    [Fact]
    public async Task A_name_that_resolves_to_the_host_s_own_address_is_refused_without_telling_the_address()
    {
        // Arrange: the real guard, which reads this machine's interfaces.
        var own = NetworkInterface.GetAllNetworkInterfaces()
            .SelectMany(i => i.GetIPProperties().UnicastAddresses).Select(u => u.Address)
            .First(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));
        using var harness = new EgressHarness(guard: new AddressGuard(EgressHarness.TestServers)).Allow("self.example", 443);
        harness.Resolver.Map("self.example", own.ToString());

        // Act
        var response = await ProxyClient.RequestAsync(harness.HttpEndpoint, "CONNECT self.example:443 HTTP/1.1\r\n\r\n");

        // Assert
        Assert.Equal((403, "address-host-own"), (response.Status, response.Header("X-Aisbx-Egress-Rule")));
        Assert.Contains("self.example resolves to one of the host's own addresses", response.Body, StringComparison.Ordinal);
        Assert.DoesNotContain(own.ToString(), response.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_name_whose_answers_mix_a_public_and_a_private_address_is_refused_and_neither_is_reached()
    {
        // Arrange: the first answer is a reachable (exempt) server, the second is private.
        using var server = new LoopbackServer("127.0.0.2", LoopbackServer.Echo);
        using var harness = new EgressHarness().Allow("split.example", server.Port);
        harness.Resolver.Map("split.example", "127.0.0.2", "10.1.2.3");

        // Act
        var response = await ProxyClient.TunnelAsync(harness.HttpEndpoint, $"split.example:{server.Port}");

        // Assert
        Assert.Equal((403, "address-reserved"), (response.Status, response.Header("X-Aisbx-Egress-Rule")));
        Assert.Contains("10.1.2.3 in 10.0.0.0/8 (private)", response.Body, StringComparison.Ordinal);
        Assert.Equal(0, server.Connections);
    }

    [Theory]
    [InlineData("203.0.113.7")]
    [InlineData("198.51.100.7")]
    [InlineData("192.0.2.7")]
    [InlineData("93.184.215.14")]
    [InlineData("2606:2800:21f:cb07:6820:80da:af6b:8b2c")]
    [InlineData("::ffff:93.184.215.14")]
    public void Public_addresses_and_the_IPv4_documentation_ranges_pass(string address)
    {
        // Arrange
        var guard = new AddressGuard([], () => []);

        // Act
        var verdict = guard.Check(IPAddress.Parse(address));

        // Assert
        Assert.Null(verdict);
    }

    [Fact]
    public void The_host_s_own_addresses_are_refused_even_in_a_range_that_is_otherwise_allowed()
    {
        // Arrange: this machine's own address is 192.0.2.2, in a documentation range that passes.
        var guard = new AddressGuard([], () => [IPAddress.Parse("192.0.2.2")]);

        // Act
        var own = guard.Check(IPAddress.Parse("192.0.2.2"));
        var mapped = guard.Check(IPAddress.Parse("::ffff:192.0.2.2"));
        var neighbour = guard.Check(IPAddress.Parse("192.0.2.3"));

        // Assert
        Assert.Equal("address-host-own", own?.Rule);
        Assert.Equal("address-host-own", mapped?.Rule);
        Assert.Null(neighbour);
    }

    [Fact]
    public void An_exempt_network_passes_although_it_is_reserved_and_nothing_beside_it_does()
    {
        // Arrange
        var guard = new AddressGuard([IPNetwork.Parse("127.0.0.2/32")], () => [IPAddress.Parse("127.0.0.2")]);

        // Act
        var exempt = guard.Check(IPAddress.Parse("127.0.0.2"));
        var mapped = guard.Check(IPAddress.Parse("::ffff:127.0.0.2"));
        var beside = guard.Check(IPAddress.Parse("127.0.0.3"));

        // Assert
        Assert.Null(exempt);
        Assert.Null(mapped);
        Assert.Equal("address-reserved", beside?.Rule);
    }
}
