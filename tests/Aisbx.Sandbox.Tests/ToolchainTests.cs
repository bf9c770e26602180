namespace Aisbx.Sandbox.Tests;

/// <summary>
/// Every built-in profile runs its toolchain in the environment aisbx build made for it (./test.sh builds them all
/// first), with nothing of the host's /usr: the same checks pass on a host that has none of these toolchains.
/// </summary>
[Collection(nameof(RealSandboxes))]
public class ToolchainTests(SandboxFixture sandbox)
{
    [Fact]
    public async Task Python_dev_runs_python3_with_pip_and_venv()
    {
        var result = await sandbox.ShAsync(
            "python3 -c 'print(6*7)' && python3 -m pip --version >/dev/null && python3 -m venv /tmp/v && /tmp/v/bin/python -m pip --version | cut -c1-4", "python-dev");

        Assert.Equal("42\npip \n", result.Stdout);
    }

    [Fact]
    public async Task Node_dev_runs_node_and_npm()
    {
        var result = await sandbox.ShAsync("node -e 'console.log(6*7)' && npm --version >/dev/null && echo npm-ok", "node-dev");

        Assert.Equal("42\nnpm-ok\n", result.Stdout);
    }

    [Fact]
    public async Task Go_dev_compiles_and_runs_a_go_program()
    {
        var result = await sandbox.ShAsync(
            "cat > /tmp/hello.go <<'EOF'\npackage main\nimport \"fmt\"\nfunc main() { fmt.Println(6 * 7) }\nEOF\ngo run /tmp/hello.go", "go-dev", timeout: TimeSpan.FromSeconds(110));

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal("42\n", result.Stdout);
    }

    [Fact]
    public async Task Rust_dev_compiles_with_rustc_and_has_cargo()
    {
        var result = await sandbox.ShAsync(
            "printf 'fn main() { println!(\"{}\", 6 * 7); }\\n' > /tmp/hello.rs && rustc -o /tmp/hello /tmp/hello.rs && /tmp/hello && cargo --version >/dev/null && echo cargo-ok",
            "rust-dev", timeout: TimeSpan.FromSeconds(120));

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal("42\ncargo-ok\n", result.Stdout);
    }

    [Fact]
    public async Task Java_dev_compiles_with_javac_and_runs_with_java()
    {
        var result = await sandbox.ShAsync(
            "mkdir -p /tmp/j && printf 'class Hello { public static void main(String[] a) { System.out.println(6 * 7); } }\\n' > /tmp/j/Hello.java && javac -d /tmp/j /tmp/j/Hello.java && java -cp /tmp/j Hello",
            "java-dev");

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal("42\n", result.Stdout);
    }

    [Fact]
    public async Task Default_has_a_shell_git_and_curl()
    {
        var result = await sandbox.ShAsync("git --version | cut -c1-11; curl --version | cut -c1-4 | head -1", "default");

        Assert.Equal("git version\ncurl\n", result.Stdout);
    }

    [Fact]
    public async Task A_missing_toolchain_says_so_plainly()
    {
        var workdirless = await sandbox.RunAsync(["aisbx-no-such-toolchain"], "go-dev");

        Assert.Equal(127, workdirless.ExitCode);
        Assert.Contains("profile 'go-dev'", workdirless.Stderr, StringComparison.Ordinal);
        Assert.Contains("run aisbx build --profile go-dev", workdirless.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Minimal_has_Debian_s_essential_set_and_nothing_more()
    {
        var result = await sandbox.ShAsync("ls /bin/sh /usr/bin/sed >/dev/null && echo essentials; for c in git curl python3 gcc; do command -v $c; done; true", profile: "minimal");

        Assert.Equal("essentials\n", result.Stdout);
    }
}
