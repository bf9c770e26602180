using Aisbx.Core.Runs;

namespace Aisbx.Core.Tests;

public class NetworkReportTests
{
    private static NetworkConnection Connection(string host, int port, string verdict, string? rule) =>
        new("connect", host, port, verdict, rule, "203.0.113.80", 3 << 10, 5 << 20, 12.4, DateTimeOffset.UnixEpoch);

    [Fact]
    public void A_connection_reads_as_one_line_with_its_target_its_verdict_and_for_an_allowed_one_its_bytes()
    {
        Assert.Equal("example.org:443 refused (host-not-allowed)", Connection("example.org", 443, "refused", "host-not-allowed").Describe());
        Assert.Equal("[2001:db8::1]:443 failed (connect-refused)", Connection("2001:db8::1", 443, "failed", "connect-refused").Describe());
        Assert.Equal("a request that named no host refused (egress-request)", Connection("", 0, "refused", "egress-request").Describe());
        Assert.StartsWith("registry.npmjs.org:443 allowed (203.0.113.80), 3.0 KiB out, 5.0 MiB in, 12 ms", Connection("registry.npmjs.org", 443, "allowed", null).Describe(), StringComparison.Ordinal);
    }
}
