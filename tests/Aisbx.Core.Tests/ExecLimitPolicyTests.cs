using System.Collections.Immutable;
using Aisbx.Core.Configuration;
using Aisbx.Core.Policy;
using Aisbx.Core.Profiles;
using Aisbx.Core.Runs;

namespace Aisbx.Core.Tests;

/// <summary>Policy refuses what Linux's execve would refuse with E2BIG, whatever the configured caps allow.</summary>
public class ExecLimitPolicyTests
{
    private static readonly ProfileCatalog Catalog = new(userDirectory: null);

    private static AisbxConfig ConfigWith(RequestSizeLimits limits) => new()
    {
        ConfigDirectory = "/home/ada/.aisbx",
        CallerHome = "/home/ada",
        WorkspaceBase = "/tmp/aisbx-ada",
        RequestLimits = limits,
    };

    private static PolicyRefusal Refuse(RunRequest request, RequestSizeLimits limits) =>
        Assert.Throws<PolicyRefusal>(() => RunPolicy.Approve(request, Catalog, ConfigWith(limits)));

    [Fact]
    public void One_argument_of_128_KiB_is_refused_though_the_configured_cap_is_higher()
    {
        var request = new RunRequest { Command = ["python3", "-c", new string('#', 128 << 10)] };

        var refusal = Refuse(request, RequestSizeLimits.Default);

        Assert.Equal("argument-length", refusal.Rule);
        Assert.Equal(RequestField.Command, refusal.Field);
        Assert.StartsWith("item 3 of the command takes 131073 bytes, over the 131072 that Linux passes in one argument: pass large data through a file", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_longest_argument_Linux_takes_passes()
    {
        var request = new RunRequest { Command = ["echo", new string('x', ExecLimits.MaxStringBytes - 1)] };

        var approved = RunPolicy.Approve(request, Catalog, ConfigWith(RequestSizeLimits.Default));

        Assert.Equal(ExecLimits.MaxStringBytes - 1, approved.Request.Command[1].Length);
    }

    [Fact]
    public void Arguments_and_environment_over_what_one_program_start_carries_are_refused_however_high_the_caps()
    {
        var limits = new RequestSizeLimits { MaxArgumentBytes = 64L << 20, MaxEnvBytes = 64L << 20 };
        var arguments = Enumerable.Repeat(new string('a', 100 << 10), 12).Prepend("echo");
        var env = ImmutableSortedDictionary.CreateRange(Enumerable.Range(0, 6).Select(i => KeyValuePair.Create($"V{i}", new string('e', 100 << 10))));

        var refusal = Refuse(new RunRequest { Command = [.. arguments], Env = env }, limits);

        Assert.Equal("exec-size", refusal.Rule);
        Assert.Contains($"over the {ExecLimits.RequestBudgetBytes} that one program start on Linux can carry", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_budget_leaves_room_below_the_kernel_limit_of_the_default_stack()
    {
        Assert.Equal(2L << 20, ExecLimits.TotalBytes(8L << 20));
        Assert.Equal(6L << 20, ExecLimits.TotalBytes(long.MaxValue));
        Assert.Equal(128L << 10, ExecLimits.TotalBytes(64L << 10));
        Assert.True(ExecLimits.RequestBudgetBytes <= (2L << 20) - (256L << 10));
    }

    [Fact]
    public void One_environment_variable_over_128_KiB_is_refused_however_high_the_cap()
    {
        var limits = new RequestSizeLimits { MaxEnvBytes = 64L << 20 };
        var env = ImmutableSortedDictionary.CreateRange([KeyValuePair.Create("BIG", new string('e', 128 << 10))]);

        Assert.Equal("env-length", Refuse(new RunRequest { Command = ["ls"], Env = env }, limits).Rule);
    }

    [Fact]
    public void A_command_fits_when_each_argument_and_the_whole_pass_the_rules()
    {
        Assert.True(RunPolicy.ArgumentsFit(["python3", "-c", new string('x', 100 << 10)], RequestSizeLimits.Default));
        Assert.False(RunPolicy.ArgumentsFit(["python3", "-c", new string('x', 128 << 10)], RequestSizeLimits.Default));
        Assert.False(RunPolicy.ArgumentsFit(["python3", "-c", new string('x', 10 << 10)], new RequestSizeLimits { MaxArgumentBytes = 8 << 10 }));
    }
}
