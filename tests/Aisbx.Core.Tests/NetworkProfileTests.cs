using Aisbx.Core.Configuration;
using Aisbx.Core.Egress;
using Aisbx.Core.Profiles;

namespace Aisbx.Core.Tests;

public class NetworkProfileTests
{
    private static Profile Load(string name, string text, string? baseText = null)
    {
        using var dir = new TempDirectory();
        if (baseText is not null)
        {
            dir.Write("base.toml", baseText);
        }

        dir.Write(name + ".toml", text);
        return new ProfileCatalog(dir.Path).Get(name);
    }

    [Fact]
    public void A_network_table_sets_the_mode_the_lists_and_the_caps()
    {
        // Act
        var profile = Load("mirror", """
            description = "x"
            allowed_networks = ["none", "allowlist"]
            [network]
            mode = "allowlist"
            allow = ["pypi.org", "*.Example.org:8443", "pypi.org"]
            deny = ["bad.example.org"]
            max_connections = 10
            max_bytes = "64M"
            """);

        // Assert
        Assert.Equal(NetworkMode.Allowlist, profile.Network);
        Assert.Equal([NetworkMode.None, NetworkMode.Allowlist], profile.AllowedNetworks);
        Assert.Equal([new HostPattern("pypi.org", null), new HostPattern("*.example.org", 8443)], profile.Egress.Allow);
        Assert.Equal([new HostPattern("bad.example.org", null)], profile.Egress.Deny);
        Assert.Equal(10, profile.Egress.MaxConnections);
        Assert.Equal(64L << 20, profile.Egress.MaxBytes);
    }

    [Fact]
    public void Allowed_networks_may_sit_in_the_network_table()
    {
        var profile = Load("p", """
            description = "x"
            [network]
            allowed_networks = ["allowlist"]
            """);

        Assert.Equal([NetworkMode.Allowlist, NetworkMode.None], profile.AllowedNetworks);
        Assert.Equal(NetworkMode.None, profile.Network);
    }

    [Fact]
    public void The_string_form_still_sets_only_the_mode()
    {
        var profile = Load("p", "description = \"x\"\nnetwork = \"allowlist\"");

        Assert.Equal(NetworkMode.Allowlist, profile.Network);
        Assert.Empty(profile.Egress.Allow);
        Assert.Equal(EgressPolicy.DefaultMaxBytes, profile.Egress.MaxBytes);
    }

    [Fact]
    public void A_child_keeps_the_base_s_egress_and_its_own_list_replaces_the_base_s()
    {
        // Arrange
        const string Base = """
            description = "base"
            [network]
            mode = "allowlist"
            allow = ["pypi.org", "files.pythonhosted.org"]
            deny = ["evil.pypi.org"]
            max_connections = 5
            """;

        // Act
        var kept = Load("kept", "extends = \"base\"\ndescription = \"kept\"", Base);
        var replaced = Load("replaced", "extends = \"base\"\ndescription = \"r\"\n[network]\nallow = [\"registry.npmjs.org\"]", Base);

        // Assert
        Assert.Equal(["pypi.org", "files.pythonhosted.org"], kept.Egress.Allow.Select(p => p.ToString()));
        Assert.Equal(NetworkMode.Allowlist, kept.Network);
        Assert.Equal(["registry.npmjs.org"], replaced.Egress.Allow.Select(p => p.ToString()));
        Assert.Equal(["evil.pypi.org"], replaced.Egress.Deny.Select(p => p.ToString()));
        Assert.Equal(5, replaced.Egress.MaxConnections);
        Assert.Equal(NetworkMode.Allowlist, replaced.Network);
    }

    [Fact]
    public void An_allowlist_profile_with_an_empty_list_is_valid_and_allows_nothing()
    {
        var profile = Load("p", "description = \"x\"\n[network]\nmode = \"allowlist\"\nallow = []");

        Assert.Empty(profile.Egress.Allow);
        Assert.NotNull(profile.Egress.Decide("pypi.org", 443));
    }

    [Theory]
    [InlineData("[network]\nmode = \"internet\"", "[network]: mode 'internet' is not a mode; use \"none\", \"host\" or \"allowlist\"")]
    [InlineData("network = \"internet\"", "network 'internet' is not a mode; use \"none\", \"host\" or \"allowlist\"")]
    [InlineData("allowed_networks = [\"lan\"]", "allowed_networks entry 'lan' is not a mode")]
    [InlineData("[network]\nallow = [\"*.com\"]", "allow: allow entry '*.com' is too broad")]
    [InlineData("[network]\nallow = [\"*\"]", "allows every host")]
    [InlineData("[network]\nallow = [\"https://pypi.org\"]", "allow: host entry 'https://pypi.org' is a URL")]
    [InlineData("[network]\ndeny = [\"pypi.org:99999\"]", "deny: host entry 'pypi.org:99999' has port")]
    [InlineData("[network]\nallow = \"pypi.org\"", "'allow' must be a list of strings")]
    [InlineData("[network]\nmax_connections = 0", "max_connections = 0 must be a whole number from 1 to 1000000")]
    [InlineData("[network]\nmax_bytes = \"lots\"", "max_bytes 'lots' is not a size")]
    [InlineData("[network]\nallows = [\"pypi.org\"]", "unknown key 'allows'")]
    [InlineData("allowed_networks = [\"none\"]\n[network]\nallowed_networks = [\"none\"]", "'allowed_networks' is given twice")]
    public void A_bad_network_setting_is_refused_in_one_line_that_names_the_fix(string body, string expected)
    {
        var error = Assert.Throws<ConfigurationException>(() => Load("p", "description = \"x\"\n" + body));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Theory]
    [InlineData("python-dev", new[] { "pypi.org", "files.pythonhosted.org" })]
    [InlineData("node-dev", new[] { "registry.npmjs.org" })]
    [InlineData("go-dev", new[] { "proxy.golang.org", "sum.golang.org" })]
    [InlineData("rust-dev", new[] { "crates.io", "static.crates.io", "index.crates.io" })]
    public void Dev_profiles_stay_offline_by_default_and_allow_their_registry_on_request(string name, string[] registry)
    {
        var profile = new ProfileCatalog(userDirectory: null).Get(name);

        Assert.Equal(NetworkMode.None, profile.Network);
        Assert.Contains(NetworkMode.Allowlist, profile.AllowedNetworks);
        Assert.Equal(registry, profile.Egress.Allow.Select(p => p.ToString()));
    }

    [Theory]
    [InlineData("strict")]
    [InlineData("minimal")]
    public void Locked_down_profiles_do_not_allow_the_allowlist(string name) =>
        Assert.Equal([NetworkMode.None], new ProfileCatalog(userDirectory: null).Get(name).AllowedNetworks);
}
