using Aisbx.Sandbox.Launch;

namespace Aisbx.Sandbox.Tests;

/// <summary>
/// A host tool that cannot be started is a start error of the sandbox, in one line, never a raw errno. These spawn
/// /bin/true on the host on purpose: the kernel refuses the exec, so nothing runs.
/// </summary>
public class SpawnFailureTests
{
    [Fact]
    public void An_argument_longer_than_Linux_takes_is_a_start_error_that_says_so()
    {
        string[] argv = ["true", new string('x', 200_000)];

        var error = Assert.Throws<SandboxStartException>(() => NativeProcess.Start("/bin/true", argv, [], []).Dispose());

        Assert.StartsWith("the sandbox could not start: its command line takes 200", error.Message, StringComparison.Ordinal);
        Assert.Contains("at most 131072 bytes in one string", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void A_tool_that_is_not_there_is_named_without_its_path()
    {
        var error = Assert.Throws<SandboxStartException>(() => NativeProcess.Start("/nonexistent-dir/aisbx-no-tool", ["x"], [], []).Dispose());

        Assert.StartsWith("the sandbox could not start: aisbx-no-tool could not be started (", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("/nonexistent-dir", error.Message, StringComparison.Ordinal);
    }
}
