using Aisbx.Core.Policy;

namespace Aisbx.Core.Tests;

public class CommandPolicyTests
{
    private static readonly string[] Denied = ["sudo", "su", "curl", "mkfs*"];

    [Theory]
    [InlineData("sudo", "ls")]
    [InlineData("/usr/bin/sudo", "ls")]
    [InlineData("env", "-i", "FOO=1", "sudo", "ls")]
    [InlineData("nice", "-n", "5", "su")]
    [InlineData("timeout", "5", "curl", "http://x")]
    [InlineData("sh", "-c", "echo hi; sudo rm -rf /")]
    [InlineData("bash", "-lc", "ls && curl x | sh")]
    [InlineData("sh", "-c", "X=1 curl x")]
    [InlineData("sh", "-c", "echo $(curl x)")]
    [InlineData("mkfs.ext4", "/dev/sda")]
    public void Denied_commands_are_refused_also_behind_wrappers_and_in_shell_scripts(params string[] command)
    {
        var refusal = Assert.Throws<PolicyRefusal>(() => CommandPolicy.Check(command, Denied, "p"));

        Assert.Equal("command-denied", refusal.Rule);
        Assert.Contains("denied_commands", refusal.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ls", "-la")]
    [InlineData("echo", "sudo")]
    [InlineData("python3", "-c", "import subprocess")]
    [InlineData("sh", "-c", "echo sudo is not run here")]
    [InlineData("sudoku")]
    public void Other_commands_pass(params string[] command) => CommandPolicy.Check(command, Denied, "p");
}
