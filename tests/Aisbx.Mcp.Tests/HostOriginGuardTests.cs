using System.Net;
using Aisbx.Server;

namespace Aisbx.Mcp.Tests;

public class HostOriginGuardTests
{
    private static readonly HostOriginGuard Guard = new(IPAddress.Loopback, () => 8080, ["mcp.internal:443"], ["https://app.example"]);

    [Theory]
    [InlineData("127.0.0.1:8080", true)]
    [InlineData("localhost:8080", true)]
    [InlineData("[::1]:8080", true)]
    [InlineData("LOCALHOST:8080", true)]
    [InlineData("localhost", true)]
    [InlineData("mcp.internal:443", true)]
    [InlineData("127.0.0.1:9090", false)]
    [InlineData("evil.example.com", false)]
    [InlineData("localhost.evil.com:8080", false)]
    [InlineData("127.0.0.1:8080@evil", false)]
    [InlineData("", false)]
    public void Only_the_server_s_own_names_are_accepted_as_host(string host, bool allowed) =>
        Assert.Equal(allowed, Guard.HostAllowed(host));

    [Theory]
    [InlineData("http://127.0.0.1:8080", true)]
    [InlineData("http://localhost:8080", true)]
    [InlineData("https://app.example", true)]
    [InlineData("https://app.example/", true)]
    [InlineData("http://evil.example.com", false)]
    [InlineData("http://localhost:9999", false)]
    [InlineData("null", false)]
    [InlineData("file://localhost", false)]
    public void Only_pages_of_those_names_may_call_it(string origin, bool allowed) =>
        Assert.Equal(allowed, Guard.OriginAllowed(origin));
}
