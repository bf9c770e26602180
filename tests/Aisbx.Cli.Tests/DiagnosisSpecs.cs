using System.Text.Json;
using Aisbx.Tests.Shared;

namespace Aisbx.Cli.Tests;

/// <summary>aisbx's own words about a run: refusals as documents, the right diagnosis, limits in their units.</summary>
public class DiagnosisSpecs(AisbxBinary aisbx) : IClassFixture<AisbxBinary>
{
    [Fact]
    public async Task A_json_run_that_is_refused_prints_a_result_document_with_the_rule_and_exits_125()
    {
        // Act: above the default profile's 30 s wall time.
        var (exitCode, stdout, stderr) = await aisbx.RunAsync("run", "--json", "--timeout", "10m", "--", "true");

        // Assert
        Assert.Equal(125, exitCode);
        using var document = JsonDocument.Parse(stdout);
        var root = document.RootElement;
        Assert.Equal(125, root.GetProperty("exitCode").GetInt32());
        Assert.Equal("default", root.GetProperty("profile").GetString());
        Assert.Equal("limit-above-profile", root.GetProperty("error").GetProperty("rule").GetString());
        Assert.Contains("30s", root.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public async Task A_json_run_with_a_malformed_option_still_prints_a_document()
    {
        var (exitCode, stdout, _) = await aisbx.RunAsync("run", "--json", "--pids", "many", "--", "true");

        Assert.Equal(125, exitCode);
        using var document = JsonDocument.Parse(stdout);
        Assert.Equal("usage", document.RootElement.GetProperty("error").GetProperty("rule").GetString());
    }

    [Fact]
    public async Task A_json_run_that_runs_has_no_error()
    {
        var (exitCode, stdout, _) = await aisbx.RunAsync("run", "--json", "--", "true");

        Assert.Equal(0, exitCode);
        using var document = JsonDocument.Parse(stdout);
        Assert.Equal(JsonValueKind.Null, document.RootElement.GetProperty("error").ValueKind);
    }

    [Fact]
    public async Task A_file_that_exists_but_is_not_executable_exits_126_and_says_so()
    {
        // /etc/passwd is a file aisbx generates for the sandbox.
        var (exitCode, _, stderr) = await aisbx.RunAsync("run", "--", "/etc/passwd");

        Assert.Equal(126, exitCode);
        Assert.Contains("not executable", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("no such file", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_path_the_run_set_is_blamed_for_a_missing_command_and_not_the_toolchain()
    {
        var (exitCode, _, stderr) = await aisbx.RunAsync("run", "--profile", "python-dev", "-e", "PATH=/nope", "--", "python3", "-c", "1");

        Assert.Equal(127, exitCode);
        Assert.Contains("PATH=/nope", stderr, StringComparison.Ordinal);
        Assert.Contains("the profile's PATH", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("apt-get", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_limit_reached_is_printed_in_its_own_unit()
    {
        // Act: more processes than --pids allows.
        var (_, _, stderr) = await aisbx.RunAsync("run", "--pids", "5", "--", "sh", "-c", "for i in 1 2 3 4 5 6 7 8; do sleep 2 & done; wait");

        // Assert
        Assert.Contains("aisbx: limit reached: pids (5 processes)", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("bytes", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wall_time_limit_is_printed_in_milliseconds()
    {
        var (exitCode, _, stderr) = await aisbx.RunAsync("run", "--timeout", "500ms", "--", "sleep", "10");

        Assert.Equal(124, exitCode);
        Assert.Contains("aisbx: limit reached: wall-time (500 ms)", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dry_run_in_a_user_s_workdir_shows_the_sandbox_running_as_that_user_as_a_real_run_would()
    {
        Assert.SkipUnless(Environment.UserName == "root", "only root runs a sandbox as a workdir's owner");

        // Arrange
        var usersProject = aisbx.NewWorkdir();
        var rootsProject = aisbx.NewWorkdir();
        File.SetUnixFileMode(usersProject, (UnixFileMode)0b111_101_101);
        Assert.Equal(0, HostCommands.Run("chown", "1234:1234", usersProject).ExitCode);

        // Act
        var (_, asUser, _) = await aisbx.RunAsync("run", "--dry-run", "--workdir", usersProject, "--", "true");
        var (_, asSandbox, _) = await aisbx.RunAsync("run", "--dry-run", "--workdir", rootsProject, "--", "true");

        // Assert
        Assert.Contains("--reuid=1234 --regid=1234", asUser, StringComparison.Ordinal);
        Assert.Contains("--reuid=65532", asSandbox, StringComparison.Ordinal);
    }
}
