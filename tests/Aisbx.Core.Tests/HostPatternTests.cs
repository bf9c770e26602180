using Aisbx.Core.Egress;

namespace Aisbx.Core.Tests;

public class HostPatternTests
{
    [Theory]
    [InlineData("pypi.org", "pypi.org", null)]
    [InlineData("PyPI.Org", "pypi.org", null)]
    [InlineData("pypi.org.", "pypi.org", null)]
    [InlineData("*.example.org", "*.example.org", null)]
    [InlineData("*.Example.Org.:8443", "*.example.org", 8443)]
    [InlineData("registry.example:1", "registry.example", 1)]
    [InlineData("mirror:65535", "mirror", 65535)]
    [InlineData("192.0.2.1", "192.0.2.1", null)]
    [InlineData("192.0.2.1:8080", "192.0.2.1", 8080)]
    [InlineData("[2001:DB8::1]", "2001:db8::1", null)]
    [InlineData("[2001:db8:0:0:0:0:0:1]:443", "2001:db8::1", 443)]
    [InlineData("bücher.example", "xn--bcher-kva.example", null)]
    [InlineData("*.bücher.example:443", "*.xn--bcher-kva.example", 443)]
    [InlineData("xn--bcher-kva.example", "xn--bcher-kva.example", null)]
    [InlineData("XN--BCHER-KVA.example", "xn--bcher-kva.example", null)]
    public void An_entry_is_read_into_its_canonical_host_and_port(string text, string host, int? port)
    {
        // Act
        var pattern = HostPattern.Parse(text);

        // Assert
        Assert.Equal(new HostPattern(host, port), pattern);
        Assert.Equal(pattern, HostPattern.Parse(pattern.ToString()));
    }

    [Theory]
    [InlineData("pypi.org", "pypi.org")]
    [InlineData("*.example.org:8443", "*.example.org:8443")]
    [InlineData("[2001:db8::1]:443", "[2001:db8::1]:443")]
    [InlineData("[2001:db8::1]", "[2001:db8::1]")]
    [InlineData("192.0.2.1:80", "192.0.2.1:80")]
    public void The_canonical_text_writes_ports_and_brackets(string text, string canonical) =>
        Assert.Equal(canonical, HostPattern.Parse(text).ToString());

    [Theory]
    [InlineData("", "empty host entry")]
    [InlineData("pypi .org", "space or control character")]
    [InlineData("pypi.org\n", "space or control character")]
    [InlineData("https://pypi.org", "is a URL")]
    [InlineData("10.0.0.0/8", "list host names or single addresses")]
    [InlineData("pypi.org:0", "give a port from 1 to 65535")]
    [InlineData("pypi.org:65536", "give a port from 1 to 65535")]
    [InlineData("pypi.org:+443", "give a port from 1 to 65535")]
    [InlineData("pypi.org:", "give a port from 1 to 65535")]
    [InlineData("pypi.org:443:1", "more than one ':'")]
    [InlineData("2001:db8::1", "more than one ':'")]
    [InlineData("[2001:db8::1", "without closing it")]
    [InlineData("[2001:db8::1]x", "after the address")]
    [InlineData("[fe80::1%eth0]", "not an IPv6 address")]
    [InlineData("[192.0.2.1]", "not an IPv6 address")]
    [InlineData("a.*.example.org", "not the whole leftmost label")]
    [InlineData("*example.org", "not the whole leftmost label")]
    [InlineData("**.example.org", "not the whole leftmost label")]
    [InlineData("*.10.0.0", "a wildcard over addresses")]
    [InlineData("127.1", "in a form resolvers read differently")]
    [InlineData("0x7f.0.0.1", "in a form resolvers read differently")]
    [InlineData("0177.0.0.1", "in a form resolvers read differently")]
    [InlineData("2130706433", "in a form resolvers read differently")]
    [InlineData("example.123", "ends in a number")]
    [InlineData("-pypi.org", "has label '-pypi'")]
    [InlineData("pypi_org.example", "has label 'pypi_org'")]
    [InlineData("pypi..org", "has label ''")]
    [InlineData("..", "has label ''")]
    public void A_malformed_entry_is_refused_in_one_line_that_says_how_to_write_it(string text, string expected)
    {
        // Act
        var error = Assert.Throws<HostPatternException>(() => HostPattern.Parse(text));

        // Assert
        Assert.Equal("host-pattern-invalid", error.Rule);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Names_and_labels_over_the_dns_lengths_are_refused()
    {
        var label = new string('a', 64);
        var name = string.Join('.', Enumerable.Repeat(new string('a', 63), 4)); // 255 characters

        Assert.Contains("1 to 63", Assert.Throws<HostPatternException>(() => HostPattern.Parse(label + ".example")).Message, StringComparison.Ordinal);
        Assert.Contains("longer than 253", Assert.Throws<HostPatternException>(() => HostPattern.Parse(name)).Message, StringComparison.Ordinal);
        Assert.Equal(63, HostPattern.Parse(new string('a', 63) + ".example").Host.IndexOf('.', StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("xn--a.example", "not valid punycode")]
    [InlineData("xn--abc.example", "not valid punycode")]
    [InlineData("☃.example", "not a valid international domain name")]
    [InlineData("bücher_x.example", "not a valid international domain name")]
    public void An_invalid_international_name_is_refused(string text, string expected)
    {
        var error = Assert.Throws<HostPatternException>(() => HostPattern.Parse(text));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("*")]
    [InlineData("*.")]
    public void A_bare_star_is_refused_as_too_broad(string text) =>
        Assert.Equal("allow-too-broad", Assert.Throws<HostPatternException>(() => HostPattern.Parse(text)).Rule);

    [Theory]
    [InlineData("*.com")]
    [InlineData("*.org:443")]
    [InlineData("*.co.uk")]
    [InlineData("*.com.au")]
    [InlineData("*.ne.jp")]
    [InlineData("*.github.io")]
    [InlineData("*.s3.amazonaws.com")]
    public void An_allow_wildcard_over_a_public_suffix_is_refused_with_the_fix(string text)
    {
        // Act
        var error = Assert.Throws<HostPatternException>(() => HostPattern.ParseAllow(text));

        // Assert
        Assert.Equal("allow-too-broad", error.Rule);
        Assert.Contains("list the registrable domain's subdomains instead, e.g. *.example.", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("*.example.org")]
    [InlineData("*.example.co.uk")]
    [InlineData("*.pkg.github.io")]
    [InlineData("*.uk.com")]
    [InlineData("com")]
    public void An_allow_wildcard_over_a_registrable_domain_is_taken(string text) =>
        Assert.Equal(HostPattern.Parse(text), HostPattern.ParseAllow(text));

    [Theory]
    [InlineData("*.example.org", "a.example.org", 443, true)]
    [InlineData("*.example.org", "a.b.c.example.org", 80, true)]
    [InlineData("*.example.org", "example.org", 443, false)]
    [InlineData("*.example.org", "badexample.org", 443, false)]
    [InlineData("*.example.org", "a.example.org.evil", 443, false)]
    [InlineData("*.example.org", "a.example.org", 8080, false)]
    [InlineData("pypi.org", "PYPI.org.", 443, true)]
    [InlineData("pypi.org", "pypi.org", 80, true)]
    [InlineData("pypi.org", "pypi.org", 22, false)]
    [InlineData("pypi.org", "www.pypi.org", 443, false)]
    [InlineData("pypi.org:8443", "pypi.org", 8443, true)]
    [InlineData("pypi.org:8443", "pypi.org", 443, false)]
    [InlineData("bücher.example", "xn--bcher-kva.example", 443, true)]
    [InlineData("xn--bcher-kva.example", "BÜCHER.example", 443, true)]
    [InlineData("bücher.example", "bu\u0308cher.example", 443, false)]
    [InlineData("[2001:db8::1]", "[2001:DB8:0::1]", 443, true)]
    [InlineData("[2001:db8::1]", "2001:db8::1", 443, true)]
    [InlineData("192.0.2.1", "192.0.2.1", 443, true)]
    [InlineData("127.0.0.1", "127.1", 443, false)]
    [InlineData("127.0.0.1", "0x7f000001", 443, false)]
    [InlineData("*.example.org", "*.example.org", 443, false)]
    [InlineData("*.example.org", "", 443, false)]
    [InlineData("*.example.org", "a.example.org:443", 443, false)]
    public void An_entry_matches_a_normalized_host_and_its_ports(string entry, string host, int port, bool matches) =>
        Assert.Equal(matches, HostPattern.Parse(entry).Matches(host, port));

    [Theory]
    [InlineData("pypi.org", "pypi.org", true)]
    [InlineData("pypi.org", "pypi.org:443", true)]
    [InlineData("pypi.org", "pypi.org:8443", false)]
    [InlineData("pypi.org:443", "pypi.org", false)]
    [InlineData("pypi.org", "files.pypi.org", false)]
    [InlineData("*.example.org", "a.example.org", true)]
    [InlineData("*.example.org", "example.org", false)]
    [InlineData("*.example.org", "*.example.org", true)]
    [InlineData("*.example.org", "*.a.example.org", true)]
    [InlineData("*.a.example.org", "*.example.org", false)]
    [InlineData("a.example.org", "*.a.example.org", false)]
    [InlineData("*.example.org:8443", "*.a.example.org:8443", true)]
    [InlineData("*.example.org:8443", "a.example.org", false)]
    [InlineData("192.0.2.1", "192.0.2.1:80", true)]
    public void An_entry_covers_a_narrower_one_only_on_its_own_hosts_and_ports(string broad, string narrow, bool covers) =>
        Assert.Equal(covers, HostPattern.Parse(broad).Covers(HostPattern.Parse(narrow)));
}
