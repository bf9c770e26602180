using System.Net;
using Aisbx.Core.Configuration;
using Aisbx.Core.Egress;

namespace Aisbx.Core.Tests;

public class EgressConfigTests
{
    private static AisbxConfig Load(string text)
    {
        using var dir = new TempDirectory();
        dir.Write("config.toml", text);
        return AisbxConfigLoader.Load(dir.Path);
    }

    [Fact]
    public void The_egress_section_sets_grants_hosts_exempt_ranges_and_the_connect_timeout()
    {
        // Act
        var egress = Load("""
            [egress]
            grants = { "ci" = ["pypi.org", "*.Mirror.example:8443"], "build.bot" = [] }
            hosts = { "Registry.Test." = ["127.0.0.2", "::1"] }
            exempt = ["127.0.0.2/32", "192.168.1.0/24"]
            connect_timeout = "2s"
            """).Egress;

        // Assert
        Assert.Equal([new HostPattern("pypi.org", null), new HostPattern("*.mirror.example", 8443)], egress.Grants["ci"]);
        Assert.Empty(egress.Grants["build.bot"]);
        Assert.Equal([IPAddress.Parse("127.0.0.2"), IPAddress.IPv6Loopback], egress.Hosts["registry.test"]);
        Assert.Equal([IPNetwork.Parse("127.0.0.2/32"), IPNetwork.Parse("192.168.1.0/24")], egress.Exempt);
        Assert.Equal(TimeSpan.FromSeconds(2), egress.ConnectTimeout);
        Assert.Equal(egress.Grants["ci"], egress.GrantsFor("key:ci"));
        Assert.Empty(egress.GrantsFor("ci"));
    }

    [Fact]
    public void Grants_may_be_written_as_a_table_of_their_own()
    {
        var egress = Load("[egress.grants]\nci = [\"pypi.org\"]").Egress;

        Assert.Equal([new HostPattern("pypi.org", null)], egress.Grants["ci"]);
    }

    [Fact]
    public void Without_the_section_nothing_is_granted_and_connects_wait_ten_seconds()
    {
        var egress = Load("").Egress;

        Assert.Empty(egress.Grants);
        Assert.Empty(egress.Hosts);
        Assert.Empty(egress.Exempt);
        Assert.Equal(TimeSpan.FromSeconds(10), egress.ConnectTimeout);
    }

    [Theory]
    [InlineData("grants = { \"ci\" = [\"*.com\"] }", "[egress] [grants]: 'ci': allow entry '*.com' is too broad")]
    [InlineData("grants = { \"ci\" = [\"pypi.org:0\"] }", "'ci': host entry 'pypi.org:0' has port")]
    [InlineData("grants = { \"key:ci\" = [\"pypi.org\"] }", "'key:ci' is not an API key name")]
    [InlineData("grants = { \"ci\" = \"pypi.org\" }", "'ci' must be a list of hosts")]
    [InlineData("grants = [\"pypi.org\"]", "'grants' must be a table")]
    [InlineData("hosts = { \"*.test\" = [\"127.0.0.2\"] }", "'*.test' must be a plain host name")]
    [InlineData("hosts = { \"a.test:80\" = [\"127.0.0.2\"] }", "'a.test:80' must be a plain host name")]
    [InlineData("hosts = { \"a.test\" = [\"127.1\"] }", "'a.test': '127.1' is not an IP address")]
    [InlineData("hosts = { \"a.test\" = [\"fe80::1%eth0\"] }", "is not an IP address")]
    [InlineData("hosts = { \"a.test\" = [] }", "'a.test' has no addresses")]
    [InlineData("hosts = { \"a.test\" = [\"127.0.0.2\"], \"A.test\" = [\"127.0.0.3\"] }", "is given twice")]
    [InlineData("exempt = [\"127.0.0.2\"]", "exempt entry '127.0.0.2' is not an address range")]
    [InlineData("exempt = [\"192.168.1.1/24\"]", "no bits set past the prefix")]
    [InlineData("connect_timeout = \"6m\"", "connect_timeout must be above zero and at most 5m")]
    [InlineData("connect_timeout = \"soon\"", "connect_timeout 'soon' is not a duration")]
    [InlineData("grant = {}", "unknown key 'grant'")]
    public void A_bad_egress_setting_is_refused_in_one_line_that_names_the_fix(string body, string expected)
    {
        var error = Assert.Throws<ConfigurationException>(() => Load("[egress]\n" + body));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }
}
