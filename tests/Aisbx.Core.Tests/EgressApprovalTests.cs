using System.Collections.Immutable;
using Aisbx.Core.Configuration;
using Aisbx.Core.Egress;
using Aisbx.Core.Policy;
using Aisbx.Core.Profiles;
using Aisbx.Core.Runs;

namespace Aisbx.Core.Tests;

public class EgressApprovalTests
{
    private static readonly ProfileCatalog Catalog = new(userDirectory: null);

    private static readonly AisbxConfig Config = new()
    {
        ConfigDirectory = "/home/ada/.aisbx",
        CallerHome = "/home/ada",
        WorkspaceBase = "/tmp/aisbx-ada",
        Egress = new EgressSettings
        {
            Grants = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal,
                [KeyValuePair.Create("ci", ImmutableArray.Create(HostPattern.Parse("*.mirror.example"), HostPattern.Parse("git.example:22")))]),
        },
    };

    private static ApprovedRun Approve(string profile, NetworkMode? network = null, string[]? allowHosts = null, string caller = "local") =>
        RunPolicy.Approve(new RunRequest
        {
            Command = ["pip", "install", "x"],
            Profile = profile,
            Network = network,
            AllowHosts = allowHosts is null ? null : [.. allowHosts],
            Caller = caller,
        }, Catalog, Config);

    private static PolicyRefusal Refuse(string profile, NetworkMode? network = null, string[]? allowHosts = null, string caller = "local") =>
        Assert.Throws<PolicyRefusal>(() => Approve(profile, network, allowHosts, caller));

    private static string[] Allowed(ApprovedRun run) => [.. run.Egress!.Allow.Select(p => p.ToString())];

    [Fact]
    public void An_allowlist_run_gets_the_profile_s_list()
    {
        var run = Approve("python-dev", NetworkMode.Allowlist);

        Assert.Equal(NetworkMode.Allowlist, run.Network);
        Assert.Equal(["pypi.org", "files.pythonhosted.org"], Allowed(run));
    }

    [Theory]
    [InlineData(NetworkMode.None)]
    [InlineData(NetworkMode.Host)]
    public void Other_modes_carry_no_egress_policy(NetworkMode network) =>
        Assert.Null(Approve("python-dev", network).Egress);

    [Fact]
    public void Allow_hosts_without_a_network_mean_the_allowlist_narrowed_to_them()
    {
        // Act
        var run = Approve("python-dev", allowHosts: ["PyPI.org.", "pypi.org:443"]);

        // Assert
        Assert.Equal(NetworkMode.Allowlist, run.Network);
        Assert.Equal(["pypi.org", "pypi.org:443"], Allowed(run));
        Assert.NotNull(run.Egress!.Decide("files.pythonhosted.org", 443));
    }

    [Fact]
    public void An_empty_allow_hosts_list_narrows_to_nothing()
    {
        var run = Approve("python-dev", allowHosts: []);

        Assert.Equal(NetworkMode.Allowlist, run.Network);
        Assert.Empty(run.Egress!.Allow);
    }

    [Theory]
    [InlineData("registry.npmjs.org")]
    [InlineData("pypi.org:8443")]
    [InlineData("*.pypi.org")]
    [InlineData("www.pypi.org")]
    [InlineData("*.pythonhosted.org")]
    public void A_requested_host_the_profile_does_not_cover_is_refused_with_the_fix(string host)
    {
        // Act
        var refusal = Refuse("python-dev", NetworkMode.Allowlist, [host]);

        // Assert
        Assert.Equal("allow-host-not-granted", refusal.Rule);
        Assert.Equal(RequestField.AllowHosts, refusal.Field);
        Assert.StartsWith("--allow-host entry", refusal.Message, StringComparison.Ordinal);
        Assert.Contains("a run may only narrow it", refusal.Message, StringComparison.Ordinal);
        Assert.Contains("allowed: pypi.org, files.pythonhosted.org", refusal.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', refusal.Message);
    }

    [Fact]
    public void A_requested_host_under_a_wildcard_is_covered_and_a_wildcard_only_under_a_broader_one()
    {
        // Arrange: the ci key is granted *.mirror.example and git.example:22
        const string Caller = "key:ci";

        // Act
        var run = Approve("python-dev", allowHosts: ["a.mirror.example", "*.eu.mirror.example", "git.example:22"], caller: Caller);
        var refusal = Refuse("python-dev", allowHosts: ["git.example"], caller: Caller);

        // Assert
        Assert.Equal(["a.mirror.example", "*.eu.mirror.example", "git.example:22"], Allowed(run));
        Assert.Equal("allow-host-not-granted", refusal.Rule);
    }

    [Theory]
    [InlineData("pypi.org:0", "allow-host-invalid")]
    [InlineData("https://pypi.org", "allow-host-invalid")]
    [InlineData("*", "allow-too-broad")]
    [InlineData("*.org", "allow-too-broad")]
    public void A_malformed_or_too_broad_requested_host_is_refused(string host, string rule)
    {
        var refusal = Refuse("python-dev", allowHosts: [host]);

        Assert.Equal(rule, refusal.Rule);
        Assert.StartsWith("--allow-host: ", refusal.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(NetworkMode.None)]
    [InlineData(NetworkMode.Host)]
    public void Allow_hosts_with_another_network_mode_are_refused(NetworkMode network)
    {
        var refusal = Refuse("python-dev", network, ["pypi.org"]);

        Assert.Equal("allow-hosts-without-allowlist", refusal.Rule);
        Assert.Contains("drop --network, or set it to allowlist", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Allow_hosts_on_a_profile_without_the_allowlist_are_refused_as_network_denied_naming_them()
    {
        var refusal = Refuse("strict", allowHosts: ["pypi.org"]);

        Assert.Equal("network-denied", refusal.Rule);
        Assert.Equal(RequestField.AllowHosts, refusal.Field);
        Assert.Contains("does not allow network 'allowlist' (allowed: none): drop --allow-host", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_s_grants_join_the_allow_list_of_its_runs_only()
    {
        var withKey = Approve("default", NetworkMode.Allowlist, caller: "key:ci");
        var otherKey = Approve("default", NetworkMode.Allowlist, caller: "key:other");
        var local = Approve("default", NetworkMode.Allowlist, caller: "ci");

        Assert.Equal(["*.mirror.example", "git.example:22"], Allowed(withKey));
        Assert.Empty(otherKey.Egress!.Allow);
        Assert.Empty(local.Egress!.Allow);
    }

    [Fact]
    public void The_profile_s_deny_list_holds_over_a_grant()
    {
        using var dir = new TempDirectory();
        dir.Write("mirrors.toml", """
            description = "x"
            allowed_networks = ["allowlist"]
            [network]
            deny = ["secret.mirror.example"]
            """);

        var run = RunPolicy.Approve(new RunRequest { Command = ["ls"], Profile = "mirrors", Network = NetworkMode.Allowlist, Caller = "key:ci" },
            new ProfileCatalog(dir.Path), Config);

        Assert.Null(run.Egress!.Decide("public.mirror.example", 443));
        Assert.Equal(EgressRefusal.HostDenied, run.Egress.Decide("secret.mirror.example", 443)?.Rule);
    }

    [Fact]
    public void A_refusal_names_the_json_field_on_remote_surfaces()
    {
        var refusal = Refuse("python-dev", NetworkMode.None, ["pypi.org"]);

        Assert.Contains("'allowHosts' is only for network 'allowlist'", refusal.PublicMessageIn(JsonWords.Instance), StringComparison.Ordinal);
    }

    private sealed class JsonWords : RequestVocabulary
    {
        public static readonly JsonWords Instance = new();

        public override string HowToGiveCommand => "give 'command'";

        public override string Name(RequestField field) => field == RequestField.AllowHosts ? "'allowHosts'" : $"'{field}'";
    }
}
