namespace Aisbx.Sandbox.Tests;

[Collection(nameof(RealSandboxes))]
public class ToolchainTests(SandboxFixture sandbox)
{
    [Fact]
    public async Task Python_dev_runs_python3()
    {
        var result = await sandbox.RunAsync(["python3", "-c", "print(6*7)"], "python-dev");

        Assert.Equal("42\n", result.Stdout);
    }

    [Fact]
    public async Task Node_dev_runs_node()
    {
        Assert.SkipUnless(File.Exists("/usr/bin/node") || File.Exists("/usr/local/bin/node"), "this host has no node");

        var result = await sandbox.RunAsync(["node", "-e", "console.log(6*7)"], "node-dev");

        Assert.Equal("42\n", result.Stdout);
    }

    [Fact]
    public async Task Java_dev_runs_java()
    {
        Assert.SkipUnless(File.Exists("/usr/bin/java"), "this host has no java");

        var result = await sandbox.RunAsync(["java", "-version"], "java-dev");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("version", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_toolchain_says_so_plainly()
    {
        var workdirless = await sandbox.RunAsync(["aisbx-no-such-toolchain"], "go-dev");

        Assert.Equal(127, workdirless.ExitCode);
        Assert.Contains("profile 'go-dev'", workdirless.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Minimal_has_a_shell_and_nothing_of_etc()
    {
        var result = await sandbox.ShAsync("ls /etc | tr '\\n' ' '", profile: "minimal");

        Assert.Equal("gitconfig group passwd ", result.Stdout); // only the files aisbx generates
    }
}
