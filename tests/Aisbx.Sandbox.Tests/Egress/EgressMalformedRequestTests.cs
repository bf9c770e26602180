using System.Text;

namespace Aisbx.Sandbox.Tests.Egress;

/// <summary>A request the proxy cannot take is a 400 with one line, never an exception; the proxy serves on.</summary>
public class EgressMalformedRequestTests
{
    public static TheoryData<string, string> Malformed => new()
    {
        { "GARBAGE\r\n\r\n", "the request line is malformed" },
        { "GET / HTTP/1.1\r\nHost: registry.example\r\n\r\n", "only http:// URLs are forwarded" },
        { "GET https://registry.example/ HTTP/1.1\r\n\r\n", "https:// URLs go through CONNECT" },
        { "GET ftp://registry.example/ HTTP/1.1\r\n\r\n", "only http:// URLs are forwarded" },
        { "CONNECT registry.example HTTP/1.1\r\n\r\n", "CONNECT takes HOST:PORT" },
        { "CONNECT registry.example:0 HTTP/1.1\r\n\r\n", "CONNECT takes HOST:PORT" },
        { "CONNECT registry.example:65536 HTTP/1.1\r\n\r\n", "CONNECT takes HOST:PORT" },
        { "CONNECT bad\u00e9name.example:443 HTTP/1.1\r\n\r\n", "the request target is malformed" },
        { "CONNECT bad%0d%0aname:443 HTTP/1.1\r\n\r\n", "CONNECT takes HOST:PORT" },
        { "CONNECT [::1%eth0]:443 HTTP/1.1\r\n\r\n", "CONNECT takes HOST:PORT" },
        { "GET http://user:pw@registry.example/ HTTP/1.1\r\n\r\n", "credentials in the URL" },
        { "GET http://registry.example/ HTTP/2.0\r\n\r\n", "the request line is malformed" },
        { "GET  http://registry.example/ HTTP/1.1\r\n\r\n", "the request line is malformed" },
        { "GET http://registry.example/ HTTP/1.1\r\nX-Folded: a\r\n b\r\n\r\n", "a header line is malformed" },
        { "GET http://registry.example/ HTTP/1.1\r\nBare: a\nInjected: b\r\n\r\n", "bare CR, LF or NUL" },
        { "GET http://registry.example/ HTTP/1.1\r\nHost : registry.example\r\n\r\n", "a header line is malformed" },
        { "GET http://registry.example/ HTTP/1.1\r\nNoColon\r\n\r\n", "a header line is malformed" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public async Task A_malformed_head_is_a_400_with_one_line_and_the_proxy_serves_the_next(string request, string reason)
    {
        // Arrange
        using var server = new LoopbackServer("127.0.0.2", LoopbackServer.Echo);
        using var harness = new EgressHarness().Allow("registry.example", server.Port);
        harness.Resolver.Map("registry.example", "127.0.0.2");

        // Act
        var response = await ProxyClient.RequestAsync(harness.HttpEndpoint, request);
        var record = await harness.NextRecordAsync();
        var resolved = harness.Resolver.TotalCalls;
        var next = await ProxyClient.TunnelAsync(harness.HttpEndpoint, $"registry.example:{server.Port}");

        // Assert
        Assert.Equal((400, "egress-request"), (response.Status, response.Header("X-Aisbx-Egress-Rule")));
        Assert.StartsWith("aisbx: egress request refused (egress-request): ", response.Body, StringComparison.Ordinal);
        Assert.Contains(reason, response.Body, StringComparison.Ordinal);
        Assert.Single(response.Body.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(("refused", "egress-request"), (record.Verdict, record.Rule));
        Assert.Equal(0, resolved);
        Assert.Equal(200, next.Status);
    }

    [Fact]
    public async Task A_head_larger_than_16_KiB_is_a_400_and_its_content_is_not_echoed()
    {
        // Arrange
        using var harness = new EgressHarness().Allow("registry.example", 443);
        var huge = "GET http://registry.example/ HTTP/1.1\r\nX-Secret: " + new string('s', 17 * 1024) + "\r\n\r\n";

        // Act
        var response = await ProxyClient.RequestAsync(harness.HttpEndpoint, huge);

        // Assert
        Assert.Equal(400, response.Status);
        Assert.Contains("larger than 16 KiB", response.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("sss", response.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_head_that_does_not_arrive_within_the_head_timeout_is_a_400()
    {
        // Arrange
        using var harness = new EgressHarness(o => o with { HeadTimeout = TimeSpan.FromMilliseconds(200) });
        using var client = await ProxyClient.ConnectAsync(harness.HttpEndpoint);

        // Act: half a head, and then nothing.
        await ProxyClient.SendAsync(client, "CONNECT registry.example:443 HTTP/1.1\r\n");
        var response = ProxyClient.Parse(await ProxyClient.ReadToEndAsync(client));

        // Assert
        Assert.Equal(400, response.Status);
        Assert.Contains("did not arrive within 0.2 s", response.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refusal_does_not_echo_header_values_or_the_path()
    {
        // Arrange
        using var harness = new EgressHarness();

        // Act
        var response = await ProxyClient.RequestAsync(harness.HttpEndpoint,
            "GET http://unlisted.example/token=hunter2 HTTP/1.1\r\nAuthorization: Bearer hunter2\r\n\r\n");

        // Assert
        Assert.Equal(403, response.Status);
        Assert.DoesNotContain("hunter2", Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(response.Body + string.Join("", response.Headers.Values))), StringComparison.Ordinal);
    }
}
