using System.Collections.Immutable;
using Aisbx.Core.Configuration;
using Aisbx.Core.Policy;
using Aisbx.Core.Profiles;
using Aisbx.Core.Runs;

namespace Aisbx.Core.Tests;

public class RunPolicyTests
{
    private static readonly AisbxConfig Config = new()
    {
        ConfigDirectory = "/home/ada/.aisbx",
        CallerHome = "/home/ada",
        WorkspaceBase = "/tmp/aisbx-ada",
        RequestLimits = new RequestSizeLimits { MaxArgumentBytes = 1024, MaxEnvBytes = 256 },
    };

    private static readonly ProfileCatalog Catalog = new(userDirectory: null);

    private static PolicyRefusal Refuse(RunRequest request) =>
        Assert.Throws<PolicyRefusal>(() => RunPolicy.Approve(request, Catalog, Config));

    [Fact]
    public void A_plain_request_gets_the_profile_limits_and_network()
    {
        var run = RunPolicy.Approve(new RunRequest { Command = ["ls"], Profile = "python-dev" }, Catalog, Config);

        Assert.Equal(TimeSpan.FromSeconds(60), run.Limits.WallTime);
        Assert.Equal(NetworkMode.None, run.Network);
    }

    [Fact]
    public void A_run_may_lower_a_limit()
    {
        var run = RunPolicy.Approve(new RunRequest { Command = ["ls"], WallTime = TimeSpan.FromSeconds(1), MemoryBytes = 64L << 20 }, Catalog, Config);

        Assert.Equal(TimeSpan.FromSeconds(1), run.Limits.WallTime);
        Assert.Equal(64L << 20, run.Limits.MemoryBytes);
    }

    [Fact]
    public void A_run_may_not_raise_a_limit_above_the_profile() =>
        Assert.Equal("limit-above-profile", Refuse(new RunRequest { Command = ["ls"], WallTime = TimeSpan.FromHours(1) }).Rule);

    [Fact]
    public void Host_network_is_refused_where_the_profile_does_not_allow_it() =>
        Assert.Equal("network-denied", Refuse(new RunRequest { Command = ["ls"], Profile = "strict", Network = NetworkMode.Host }).Rule);

    [Fact]
    public void An_empty_command_is_refused() =>
        Assert.Equal("command-missing", Refuse(new RunRequest { Command = [] }).Rule);

    [Fact]
    public void Oversized_arguments_are_refused() =>
        Assert.Equal("argument-size", Refuse(new RunRequest { Command = ["echo", new string('x', 2000)] }).Rule);

    [Fact]
    public void Oversized_environment_is_refused() =>
        Assert.Equal("env-size", Refuse(new RunRequest { Command = ["ls"], Env = ImmutableSortedDictionary.CreateRange([KeyValuePair.Create("BIG", new string('x', 300))]) }).Rule);

    [Theory]
    [InlineData("1BAD")]
    [InlineData("WITH SPACE")]
    [InlineData("A=B")]
    [InlineData("")]
    public void Invalid_environment_names_are_refused(string name) =>
        Assert.Equal("env-invalid", Refuse(new RunRequest { Command = ["ls"], Env = ImmutableSortedDictionary.CreateRange([KeyValuePair.Create(name, "v")]) }).Rule);

    [Fact]
    public void A_NUL_byte_in_an_argument_is_refused() =>
        Assert.Equal("argument-invalid", Refuse(new RunRequest { Command = ["echo", "a\0b"] }).Rule);

    [Fact]
    public void Every_refusal_is_one_line_that_says_what_to_do()
    {
        var refusal = Refuse(new RunRequest { Command = ["sudo", "ls"] });

        Assert.DoesNotContain('\n', refusal.Message);
        Assert.Contains(":", refusal.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("../escape.txt")]
    [InlineData("/etc/passwd")]
    [InlineData("a/../../b")]
    [InlineData("a//b")]
    [InlineData("./a")]
    [InlineData("")]
    [InlineData("a/")]
    public void File_paths_that_could_leave_the_workspace_are_refused(string path)
    {
        var refusal = Assert.Throws<PolicyRefusal>(() => FilesPolicy.CheckPath(path));

        Assert.Equal("files-path", refusal.Rule);
    }

    [Fact]
    public void Files_go_only_into_a_fresh_workspace_and_within_the_size_limit()
    {
        var files = System.Collections.Immutable.ImmutableSortedDictionary<string, string>.Empty.Add("src/main.py", "print(1)");
        var limits = new Aisbx.Core.Configuration.RequestSizeLimits { MaxFilesBytes = 4 };

        Assert.Equal("files-with-workdir", Assert.Throws<PolicyRefusal>(() => FilesPolicy.Check(new RunRequest { Command = ["ls"], Files = files, Workdir = "/tmp/x" }, limits)).Rule);
        Assert.Equal("files-size", Assert.Throws<PolicyRefusal>(() => FilesPolicy.Check(new RunRequest { Command = ["ls"], Files = files }, limits)).Rule);
    }
}
