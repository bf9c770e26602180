using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Aisbx.Cli.Tests;

/// <summary>What an operator sees of a program's forbidden syscalls: a line on stderr as it happens, the result's violations, and lockouts.</summary>
public class ViolationSpecs(AisbxBinary aisbx) : IClassFixture<AisbxBinary>
{
    private const string Guard = "import os, socket\nassert socket.gethostname() == 'aisbx' and os.getuid() == 1000, 'NOT-IN-SANDBOX'\n";

    [Fact]
    public async Task A_violation_reaches_stderr_while_the_program_still_runs()
    {
        Assert.SkipUnless(RuntimeInformation.ProcessArchitecture == Architecture.X64, "the probe uses an x86_64 syscall number");
        using var process = aisbx.Start("run", "-p", "python-dev", "--", "python3", "-c",
            Guard + "import ctypes, time\nctypes.CDLL(None).syscall(101, 0, 0, 0, 0)\ntime.sleep(4)\nprint('slept')");
        process.StandardInput.Close();
        var started = Stopwatch.GetTimestamp();

        var line = await process.StandardError.ReadLineAsync(TestContext.Current.CancellationToken);
        var seenAfter = Stopwatch.GetElapsedTime(started);
        var stillRunning = !process.HasExited;
        var stdout = await process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);

        Assert.Equal("aisbx: violation: ptrace denied (severity high)", line);
        Assert.True(stillRunning, "the line came only after the program ended");
        Assert.True(seenAfter < TimeSpan.FromSeconds(3), $"the line took {seenAfter}");
        Assert.Equal(("slept\n", 0), (stdout, process.ExitCode));
    }

    [Fact]
    public async Task Json_lists_each_violation_by_syscall_name_and_a_kill_exits_159()
    {
        Assert.SkipUnless(RuntimeInformation.ProcessArchitecture == Architecture.X64, "the probe uses an x86_64 syscall number");

        var (exitCode, stdout, stderr) = await aisbx.RunAsync("run", "--json", "-p", "strict", "--", "python3", "-c",
            Guard + "import ctypes\nlibc = ctypes.CDLL(None)\nlibc.syscall(135, 0xffffffff)\nlibc.syscall(321, 0, 0, 0)\nprint('SURVIVED')");

        Assert.Equal(159, exitCode);
        using var document = JsonDocument.Parse(stdout);
        var violations = document.RootElement.GetProperty("violations").EnumerateArray()
            .Select(v => (v.GetProperty("detail").GetString(), v.GetProperty("action").GetString(), v.GetProperty("severity").GetString()))
            .ToList();
        Assert.Equal([("personality", "denied", "low"), ("bpf", "killed", "high")], violations);
        Assert.DoesNotContain("SURVIVED", document.RootElement.GetProperty("stdout").GetString(), StringComparison.Ordinal);
        Assert.Contains("aisbx: violation: bpf: sandbox killed (severity high)", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Repeated_high_severity_violations_lock_the_caller_out_until_cleared()
    {
        Assert.SkipUnless(RuntimeInformation.ProcessArchitecture == Architecture.X64, "the probe uses an x86_64 syscall number");
        var config = Path.Combine(aisbx.Root, "lockout-config");
        Directory.CreateDirectory(config);
        await File.WriteAllTextAsync(Path.Combine(config, "config.toml"), "[security]\nlockout_after = 2\nlockout_window = \"10m\"\nlockout_for = \"1h\"\n", TestContext.Current.CancellationToken);
        string[] attack = ["--config", config, "run", "-p", "python-dev", "--", "python3", "-c", Guard + "import ctypes\nctypes.CDLL(None).syscall(101, 0, 0, 0, 0)"];

        var first = await aisbx.RunAsync(attack);
        var second = await aisbx.RunAsync(attack);
        var refused = await aisbx.RunAsync(["--config", config, "run", "--", "true"]);
        var listed = await aisbx.RunAsync("--config", config, "lockout", "list");
        var cleared = await aisbx.RunAsync("--config", config, "lockout", "clear");
        var afterwards = await aisbx.RunAsync(["--config", config, "run", "--", "true"]);

        Assert.Equal((0, 0), (first.ExitCode, second.ExitCode));
        Assert.Contains("aisbx: lockout:", second.Stderr, StringComparison.Ordinal);
        Assert.Equal(125, refused.ExitCode);
        Assert.StartsWith("aisbx: refused (lockout): caller 'local:", refused.Stderr, StringComparison.Ordinal);
        Assert.Single(refused.Stderr.TrimEnd('\n').Split('\n'));
        Assert.Contains("locked out until", listed.Stdout, StringComparison.Ordinal);
        Assert.Equal(0, cleared.ExitCode);
        Assert.Equal(0, afterwards.ExitCode);
    }
}
