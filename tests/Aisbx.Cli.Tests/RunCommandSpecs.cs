using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Aisbx.Tests.Shared;

namespace Aisbx.Cli.Tests;

public class RunCommandSpecs(AisbxBinary aisbx) : IClassFixture<AisbxBinary>
{
    [Fact]
    public async Task I_can_run_python_in_a_sandbox_and_get_its_output()
    {
        var (exitCode, stdout, stderr) = await aisbx.RunAsync("run", "--profile", "python-dev", "--", "python3", "-c", "print(6*7)");

        Assert.Equal(0, exitCode);
        Assert.Equal("42\n", stdout);
        Assert.Equal("", stderr);
    }

    [Fact]
    public async Task The_command_may_follow_the_options_without_double_dash_and_keep_its_own_options()
    {
        var (exitCode, stdout, _) = await aisbx.RunAsync("run", "-p", "python-dev", "python3", "-c", "import sys; print(sys.argv[1:])", "-x", "--json");

        Assert.Equal(0, exitCode);
        Assert.Equal("['-x', '--json']\n", stdout);
    }

    [Theory]
    [InlineData("exit 0", 0)]
    [InlineData("exit 3", 3)]
    [InlineData("kill -TERM $$", 143)]
    [InlineData("kill -KILL $$", 137)]
    public async Task The_exit_code_is_the_program_s_own_or_128_plus_the_signal(string script, int expected)
    {
        var (exitCode, _, _) = await aisbx.RunAsync("run", "--", "sh", "-c", script);

        Assert.Equal(expected, exitCode);
    }

    [Fact]
    public async Task A_timeout_exits_124()
    {
        var stopwatch = Stopwatch.StartNew();

        var (exitCode, _, _) = await aisbx.RunAsync("run", "--timeout", "1s", "--", "sleep", "1000");

        Assert.Equal(124, exitCode);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10));
    }

    [Theory]
    [InlineData("no-such-program-xyz", 127)]
    [InlineData("/usr/bin", 126)]
    public async Task A_command_that_cannot_be_found_or_run_exits_127_or_126(string command, int expected)
    {
        var (exitCode, _, stderr) = await aisbx.RunAsync("run", "--", command);

        Assert.Equal(expected, exitCode);
        Assert.StartsWith("aisbx: ", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("profile-unknown", "run", "--profile", "nope", "--", "true")]
    [InlineData("workdir-system", "run", "--workdir", "/etc", "--", "true")]
    [InlineData("workdir-dotdot", "run", "--workdir", "/tmp/../etc", "--", "true")]
    [InlineData("workdir-root", "run", "--workdir", "/var/cache", "--", "true")]
    [InlineData("command-denied", "run", "--", "sudo", "id")]
    [InlineData("command-denied", "run", "--profile", "strict", "--", "sh", "-c", "curl http://example.com")]
    [InlineData("limit-above-profile", "run", "--memory", "64G", "--", "true")]
    [InlineData("network-denied", "run", "--profile", "strict", "--network", "host", "--", "true")]
    [InlineData("env-invalid", "run", "--env", "1X=2", "--", "true")]
    [InlineData("allow-host-not-granted", "run", "--profile", "python-dev", "--allow-host", "registry.npmjs.org", "--", "true")]
    [InlineData("allow-host-not-granted", "run", "--profile", "python-dev", "--network", "allowlist", "--allow-host", "pypi.org:22", "--", "true")]
    [InlineData("allow-too-broad", "run", "--allow-host", "*.co.uk", "--", "true")]
    [InlineData("allow-host-invalid", "run", "--allow-host", "https://pypi.org/simple", "--", "true")]
    [InlineData("allow-hosts-without-allowlist", "run", "--network", "host", "--allow-host", "pypi.org", "--", "true")]
    [InlineData("network-denied", "run", "--profile", "strict", "--allow-host", "pypi.org", "--", "true")]
    public async Task A_refusal_exits_125_with_one_line_naming_the_rule(string rule, params string[] args)
    {
        var (exitCode, stdout, stderr) = await aisbx.RunAsync(args);

        Assert.Equal(125, exitCode);
        Assert.Equal("", stdout);
        Assert.StartsWith($"aisbx: refused ({rule}): ", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
    }

    [Theory]
    [InlineData("run", "--timeout", "soon", "--", "true")]
    [InlineData("run", "--bogus", "--", "true")]
    [InlineData("run")]
    [InlineData("run", "--env", "NOEQUALS", "--", "true")]
    [InlineData("frobnicate")]
    public async Task Bad_usage_exits_125_with_one_line_and_no_stack_trace(params string[] args)
    {
        var (exitCode, _, stderr) = await aisbx.RunAsync(args);

        Assert.Equal(125, exitCode);
        Assert.StartsWith("aisbx: ", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_prints_one_result_document()
    {
        var (exitCode, stdout, _) = await aisbx.RunAsync("run", "--json", "--", "sh", "-c", "echo out; echo err >&2; exit 5");

        Assert.Equal(5, exitCode);
        using var document = JsonDocument.Parse(stdout);
        var root = document.RootElement;
        Assert.StartsWith("sbx-", root.GetProperty("sandboxId").GetString(), StringComparison.Ordinal);
        Assert.Equal("default", root.GetProperty("profile").GetString());
        Assert.Equal(5, root.GetProperty("exitCode").GetInt32());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("signal").ValueKind);
        Assert.False(root.GetProperty("timedOut").GetBoolean());
        Assert.True(root.GetProperty("durationMs").GetDouble() > 0);
        Assert.Equal("out\n", root.GetProperty("stdout").GetString());
        Assert.Equal("err\n", root.GetProperty("stderr").GetString());
        Assert.False(root.GetProperty("stdoutTruncated").GetBoolean());
        Assert.Equal(JsonValueKind.Array, root.GetProperty("limitHits").ValueKind);
        Assert.Equal(JsonValueKind.Array, root.GetProperty("violations").ValueKind);
    }

    [Fact]
    public async Task Json_reports_a_timeout_as_a_wall_time_limit_hit()
    {
        var (exitCode, stdout, _) = await aisbx.RunAsync("run", "--json", "-t", "500ms", "--", "sleep", "30");

        Assert.Equal(124, exitCode);
        using var document = JsonDocument.Parse(stdout);
        Assert.True(document.RootElement.GetProperty("timedOut").GetBoolean());
        Assert.Equal("wall-time", document.RootElement.GetProperty("limitHits")[0].GetProperty("limit").GetString());
    }

    [Fact]
    public async Task The_workdir_is_mounted_read_write_at_workspace()
    {
        var workdir = aisbx.NewWorkdir();
        await File.WriteAllTextAsync(Path.Combine(workdir, "in.txt"), "input", TestContext.Current.CancellationToken);

        var (exitCode, stdout, _) = await aisbx.RunAsync("run", "-w", workdir, "--", "sh", "-c", "pwd; cat in.txt; echo made > out.txt");

        Assert.Equal(0, exitCode);
        Assert.Equal("/workspace\ninput", stdout);
        Assert.Equal("made\n", await File.ReadAllTextAsync(Path.Combine(workdir, "out.txt"), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_gigabyte_of_output_streams_through_while_aisbx_memory_stays_flat()
    {
        using var process = new Process
        {
            StartInfo = new ProcessStartInfo("/usr/bin/env")
            {
                ArgumentList = { "sh", "-c", $"exec 3>&1; /usr/bin/time -f 'maxrss=%M' '{aisbx.Path}' --config '{aisbx.ConfigDirectory}' run -- head -c 1G /dev/zero 2>&3 | wc -c" },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            },
        };
        Assert.SkipUnless(File.Exists("/usr/bin/time"), "GNU time is not installed");
        process.Start();
        var output = await process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);

        Assert.Contains((1L << 30).ToString(CultureInfo.InvariantCulture), output, StringComparison.Ordinal);
        var maxRssKb = long.Parse(output.Split("maxrss=")[1].Trim().Split('\n')[0], CultureInfo.InvariantCulture);
        Assert.True(maxRssKb < 96 * 1024, $"aisbx peaked at {maxRssKb} KiB while streaming 1 GiB");
    }

    [Fact]
    public async Task A_gigabyte_of_captured_output_is_cut_at_the_cap_while_aisbx_memory_stays_flat()
    {
        Assert.SkipUnless(File.Exists("/usr/bin/time"), "GNU time is not installed");
        using var process = new Process
        {
            StartInfo = new ProcessStartInfo("/usr/bin/time")
            {
                ArgumentList = { "-f", "maxrss=%M", aisbx.Path, "--config", aisbx.ConfigDirectory, "run", "--json", "--", "sh", "-c", "yes | head -c 1G" },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            },
        };
        process.Start();
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = await process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);

        using var result = System.Text.Json.JsonDocument.Parse(await stdout);
        Assert.True(result.RootElement.GetProperty("stdoutTruncated").GetBoolean());
        Assert.Equal(1 << 20, result.RootElement.GetProperty("stdout").GetString()!.Length);
        Assert.Contains(result.RootElement.GetProperty("limitHits").EnumerateArray(), h => h.GetProperty("limit").GetString() == "output");
        var maxRssKb = long.Parse(stderr.Split("maxrss=")[1].Trim().Split('\n')[0], CultureInfo.InvariantCulture);
        Assert.True(maxRssKb < 96 * 1024, $"aisbx peaked at {maxRssKb} KiB while capturing 1 GiB");
    }

    [Fact]
    public async Task Killing_aisbx_leaves_nothing_running()
    {
        var tag = Random.Shared.Next(100_000, 999_999).ToString(CultureInfo.InvariantCulture);
        using var process = aisbx.Start("run", "--", "sh", "-c", $"setsid sleep 1{tag} & sleep 2{tag}");
        for (var i = 0; i < 100 && HostCommands.Sleepers(tag) < 2; i++)
        {
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        Assert.Equal(2, HostCommands.Sleepers(tag));

        process.Kill();
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        for (var i = 0; i < 50 && HostCommands.Sleepers(tag) > 0; i++)
        {
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        Assert.Equal(0, HostCommands.Sleepers(tag));
    }

    [Fact]
    public async Task A_host_beyond_the_profile_s_allow_list_is_refused_with_the_list_and_the_fix()
    {
        // Act
        var (exitCode, _, stderr) = await aisbx.RunAsync("run", "--profile", "node-dev", "--allow-host", "evil.example", "--", "npm", "install", "x");

        // Assert
        Assert.Equal(125, exitCode);
        Assert.Equal(
            "aisbx: refused (allow-host-not-granted): --allow-host entry 'evil.example' is not covered by the allow list of profile 'node-dev' " +
            "(allowed: registry.npmjs.org); a run may only narrow it: ask for hosts it lists, or use a profile (or a key grant) that allows the host\n",
            stderr);
    }
}
