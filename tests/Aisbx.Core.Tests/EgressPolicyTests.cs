using Aisbx.Core.Egress;

namespace Aisbx.Core.Tests;

public class EgressPolicyTests
{
    private static EgressPolicy Policy(string[] allow, string[] deny) =>
        EgressPolicy.None with { Allow = [.. allow.Select(HostPattern.Parse)], Deny = [.. deny.Select(HostPattern.Parse)] };

    [Theory]
    [InlineData("pypi.org", 443)]
    [InlineData("PYPI.ORG.", 80)]
    [InlineData("files.pythonhosted.org", 443)]
    [InlineData("a.b.example.org", 8443)]
    public void A_listed_host_on_a_listed_port_is_allowed(string host, int port)
    {
        var policy = Policy(["pypi.org", "files.pythonhosted.org", "*.example.org:8443"], []);

        Assert.Null(policy.Decide(host, port));
    }

    [Fact]
    public void Deny_wins_over_allow_on_every_port_when_it_names_none()
    {
        // Arrange
        var policy = Policy(["*.example.org", "*.example.org:22"], ["secret.example.org"]);

        // Act
        var https = policy.Decide("secret.example.org", 443);
        var ssh = policy.Decide("secret.example.org", 22);

        // Assert
        Assert.Equal(EgressRefusal.HostDenied, https?.Rule);
        Assert.Equal(EgressRefusal.HostDenied, ssh?.Rule);
        Assert.Null(policy.Decide("public.example.org", 443));
        Assert.Contains("secret.example.org:443", https!.Message, StringComparison.Ordinal);
        Assert.Contains("remove it from the deny list", https.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_deny_entry_with_a_port_denies_only_that_port()
    {
        var policy = Policy(["pypi.org", "pypi.org:8080"], ["pypi.org:80"]);

        Assert.Equal(EgressRefusal.HostDenied, policy.Decide("pypi.org", 80)?.Rule);
        Assert.Null(policy.Decide("pypi.org", 443));
        Assert.Null(policy.Decide("pypi.org", 8080));
    }

    [Fact]
    public void A_listed_host_on_another_port_is_refused_as_port_not_allowed_with_the_fix()
    {
        var refusal = Policy(["pypi.org"], []).Decide("pypi.org", 22);

        Assert.Equal(EgressRefusal.PortNotAllowed, refusal?.Rule);
        Assert.Contains("egress to pypi.org:22 refused (port-not-allowed)", refusal!.Message, StringComparison.Ordinal);
        Assert.Contains("add pypi.org:22 to the profile's [network] allow list", refusal.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("evil.example", 443)]
    [InlineData("example.org", 443)]
    [InlineData("pypi.org.evil.example", 443)]
    [InlineData("127.1", 443)]
    [InlineData("", 443)]
    [InlineData("pypi.org\r\nHost: x", 443)]
    public void An_unlisted_or_unreadable_host_is_refused_as_host_not_allowed_in_one_line(string host, int port)
    {
        var refusal = Policy(["pypi.org", "*.example.org"], []).Decide(host, port);

        Assert.Equal(EgressRefusal.HostNotAllowed, refusal?.Rule);
        Assert.DoesNotContain('\n', refusal!.Message);
        Assert.DoesNotContain('\r', refusal.Message);
        Assert.Contains("(host-not-allowed)", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_none_policy_allows_nothing_and_has_the_default_caps()
    {
        Assert.Equal(EgressRefusal.HostNotAllowed, EgressPolicy.None.Decide("pypi.org", 443)?.Rule);
        Assert.Equal(1024, EgressPolicy.None.MaxConnections);
        Assert.Equal(4L << 30, EgressPolicy.None.MaxBytes);
    }

    [Fact]
    public void An_ipv6_host_is_named_in_brackets()
    {
        var refusal = Policy(["[2001:db8::1]"], []).Decide("[2001:db8::1]", 22);

        Assert.Contains("egress to [2001:db8::1]:22", refusal!.Message, StringComparison.Ordinal);
        Assert.Null(Policy(["[2001:db8::1]"], []).Decide("2001:DB8::1", 443));
    }
}
