using Aisbx.Core.Configuration;
using Aisbx.Core.Policy;
using Aisbx.Core.Profiles;
using Aisbx.Core.Runs;

namespace Aisbx.Core.Tests;

/// <summary>A refusal about one part of a request names it as the surface the caller used does.</summary>
public class RefusalWordingTests
{
    private static readonly AisbxConfig Config = new()
    {
        ConfigDirectory = "/home/ada/.aisbx",
        CallerHome = "/home/ada",
        WorkspaceBase = "/tmp/aisbx-ada",
    };

    private static readonly ProfileCatalog Catalog = new(userDirectory: null);

    /// <summary>Words no surface uses, so that only the mechanism can have put them in.</summary>
    private sealed class TestWords : RequestVocabulary
    {
        public override string HowToGiveCommand => "HOW-TO-GIVE";

        public override string Name(RequestField field) => "<" + field + ">";
    }

    private static PolicyRefusal Refuse(RunRequest request) =>
        Assert.Throws<PolicyRefusal>(() => RunPolicy.Approve(request, Catalog, Config));

    [Fact]
    public void A_limit_above_the_profile_names_the_option_on_the_command_line_and_the_surface_s_own_name_elsewhere()
    {
        var refusal = Refuse(new RunRequest { Command = ["ls"], WallTime = TimeSpan.FromMinutes(10) });

        Assert.Equal(RequestField.Timeout, refusal.Field);
        Assert.Equal("--timeout 10m is above what profile 'default' allows (30s): ask for at most 30s, or use a profile that allows more", refusal.Message);
        Assert.Equal("<Timeout> 10m is above what profile 'default' allows (30s): ask for at most 30s, or use a profile that allows more", refusal.PublicMessageIn(new TestWords()));
    }

    [Theory]
    [InlineData(RequestField.CpuTime, "--cpu-time")]
    [InlineData(RequestField.Memory, "--memory")]
    [InlineData(RequestField.Pids, "--pids")]
    public void Each_limit_names_its_own_option(RequestField field, string option)
    {
        var request = field switch
        {
            RequestField.CpuTime => new RunRequest { Command = ["ls"], CpuTime = TimeSpan.FromHours(1) },
            RequestField.Memory => new RunRequest { Command = ["ls"], MemoryBytes = 1L << 40 },
            _ => new RunRequest { Command = ["ls"], Pids = 100_000 },
        };

        var refusal = Refuse(request);

        Assert.Equal(field, refusal.Field);
        Assert.StartsWith(option + " ", refusal.Message, StringComparison.Ordinal);
        Assert.StartsWith($"<{field}> ", refusal.PublicMessageIn(new TestWords()), StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_command_says_how_to_give_one_on_each_surface()
    {
        var refusal = Refuse(new RunRequest { Command = [""] });

        Assert.Equal("no command given: put the program and its arguments after --, e.g. aisbx run -- python3 -c 'print(1)'", refusal.Message);
        Assert.Equal("no command given: HOW-TO-GIVE", refusal.PublicMessageIn(new TestWords()));
    }

    [Fact]
    public void A_denied_network_says_which_part_to_drop()
    {
        var refusal = Refuse(new RunRequest { Command = ["ls"], Profile = "strict", Network = NetworkMode.Host });

        Assert.Contains("drop --network,", refusal.Message, StringComparison.Ordinal);
        Assert.Contains("drop <Network>,", refusal.PublicMessageIn(new TestWords()), StringComparison.Ordinal);
    }

    [Fact]
    public void A_refusal_about_no_one_part_reads_the_same_everywhere()
    {
        var refusal = Refuse(new RunRequest { Command = ["sudo", "ls"] });

        Assert.Null(refusal.Field);
        Assert.Equal(refusal.PublicMessage, refusal.PublicMessageIn(new TestWords()));
    }
}
