using Aisbx.Core.Policy;

namespace Aisbx.Core.Tests;

public class WorkdirPolicyTests
{
    private static readonly string[] Roots = ["/home/ada", "/tmp"];
    private static readonly string[] Protected = ["/home/ada/.aisbx", "/tmp/aisbx-ada"];

    private static PolicyRefusal Refusal(string resolved) =>
        Assert.Throws<PolicyRefusal>(() => WorkdirPolicy.CheckResolved(resolved, Roots, Protected, "/home/ada/.aisbx/config.toml"));

    [Theory]
    [InlineData("/home/ada/project")]
    [InlineData("/tmp/scratch/deep/dir")]
    public void A_directory_inside_an_allowed_root_is_accepted(string resolved) =>
        WorkdirPolicy.CheckResolved(resolved, Roots, Protected, "cfg");

    [Theory]
    [InlineData("/tmp/../etc")]
    [InlineData("../x")]
    [InlineData("a/../../b")]
    public void A_requested_path_with_dotdot_is_refused(string requested) =>
        Assert.Equal("workdir-dotdot", Assert.Throws<PolicyRefusal>(() => WorkdirPolicy.CheckRequested(requested)).Rule);

    [Theory]
    [InlineData("/")]
    [InlineData("/etc")]
    [InlineData("/etc/ssh")]
    [InlineData("/proc/1")]
    [InlineData("/sys")]
    [InlineData("/dev/shm")]
    [InlineData("/boot")]
    [InlineData("/run/docker")]
    [InlineData("/usr/local/bin")]
    public void System_directories_are_never_a_workdir(string resolved) => Assert.Equal("workdir-system", Refusal(resolved).Rule);

    [Theory]
    [InlineData("/home/ada/.aisbx")]
    [InlineData("/home/ada/.aisbx/secrets")]
    [InlineData("/home/ada")]
    [InlineData("/tmp/aisbx-ada/sbx-1")]
    public void A_workdir_that_contains_or_lies_inside_aisbx_own_directories_is_refused(string resolved) =>
        Assert.Equal("workdir-protected", Refusal(resolved).Rule);

    [Theory]
    [InlineData("/srv/project")]
    [InlineData("/tmpfoo/x")]
    [InlineData("/var/tmp/x")]
    public void A_workdir_outside_the_allowed_roots_is_refused_with_the_fix(string resolved)
    {
        var refusal = Refusal(resolved);

        Assert.Equal("workdir-root", refusal.Rule);
        Assert.Contains("allowed_roots", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_allowed_root_itself_is_not_a_workdir_only_what_lies_inside_it() =>
        Assert.Equal("workdir-root", Assert.Throws<PolicyRefusal>(() => WorkdirPolicy.CheckResolved("/srv/data", ["/srv/data"], [], "cfg")).Rule);
}
