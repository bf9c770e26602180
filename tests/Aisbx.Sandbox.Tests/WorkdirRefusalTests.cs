using Aisbx.Core.Policy;
using Aisbx.Core.Runs;

namespace Aisbx.Sandbox.Tests;

[Collection(nameof(RealSandboxes))]
public class WorkdirRefusalTests(SandboxFixture sandbox)
{
    private Task<RunResult> RunIn(string workdir) => sandbox.RunAsync(["true"], workdir: workdir);

    [Theory]
    [InlineData("/etc", "workdir-system")]
    [InlineData("/", "workdir-system")]
    [InlineData("/srv", "workdir-root")]
    [InlineData("/does/not/exist", "workdir-missing")]
    public async Task Workdirs_outside_the_rules_are_refused_before_launch(string workdir, string rule)
    {
        var refusal = await Assert.ThrowsAsync<PolicyRefusal>(() => RunIn(workdir));

        Assert.Equal(rule, refusal.Rule);
    }

    [Fact]
    public async Task A_workdir_with_dotdot_is_refused_even_when_it_would_land_inside_a_root()
    {
        var inside = sandbox.NewWorkdir();

        var refusal = await Assert.ThrowsAsync<PolicyRefusal>(() => RunIn(inside + "/../" + Path.GetFileName(inside)));

        Assert.Equal("workdir-dotdot", refusal.Rule);
    }

    [Fact]
    public async Task A_symlink_workdir_is_judged_by_where_it_leads()
    {
        var link = Path.Combine(sandbox.WorkRoot, "link-to-etc-" + Guid.NewGuid().ToString("N")[..6]);
        File.CreateSymbolicLink(link, "/etc");

        var refusal = await Assert.ThrowsAsync<PolicyRefusal>(() => RunIn(link));

        Assert.Equal("workdir-system", refusal.Rule);
    }

    [Fact]
    public async Task The_config_directory_is_never_a_workdir()
    {
        var refusal = await Assert.ThrowsAsync<PolicyRefusal>(() => RunIn(sandbox.ConfigDirectory));

        Assert.Contains(refusal.Rule, new[] { "workdir-protected", "workdir-root" });
    }
}
