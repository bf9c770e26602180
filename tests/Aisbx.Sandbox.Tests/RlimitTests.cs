using System.Text.RegularExpressions;
using Aisbx.Sandbox.Live;

namespace Aisbx.Sandbox.Tests;

/// <summary>The rlimit floor every sandbox gets (file size, open files, CPU time per process), with typed limit hits.</summary>
[Collection(nameof(RealSandboxes))]
public class RlimitTests(SandboxFixture sandbox)
{
    [Fact]
    public async Task A_write_past_the_file_size_limit_fails_and_is_reported_as_file_size()
    {
        var workdir = sandbox.NewWorkdir();

        var result = await sandbox.ShAsync("head -c 3000000 /dev/zero > big.bin", profile: "small-limits", workdir: workdir);

        Assert.Equal(128 + 25, result.ExitCode);
        Assert.Equal(25, result.Signal);
        Assert.Contains(result.LimitHits, h => h.Limit == "file-size" && h.Value == 1L << 20);
        Assert.Equal(1L << 20, new FileInfo(Path.Combine(workdir, "big.bin")).Length);
    }

    [Fact]
    public async Task A_program_that_handles_sigxfsz_gets_efbig()
    {
        var result = await sandbox.PythonAttackAsync("""
            import signal, errno
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            with open('/workspace/big.bin', 'wb') as f:
                try:
                    f.write(b'x' * 3_000_000)
                    f.flush()
                    print('WROTE-ALL')
                except OSError as e:
                    print('refused', errno.errorcode[e.errno])
            """, profile: "small-limits");

        Assert.Equal("refused EFBIG\n", result.Stdout);
    }

    [Fact]
    public async Task Open_files_stop_at_the_limit()
    {
        var result = await sandbox.RunAsync(
            ["python3", "-c", "import os\nfds = []\ntry:\n    while True: fds.append(os.open('/dev/null', os.O_RDONLY))\nexcept OSError as e: print(len(fds) + 3, e.strerror)"],
            "small-limits");

        Assert.Equal("32 Too many open files\n", result.Stdout);
    }

    [Fact]
    public async Task A_cpu_spinner_stops_at_the_cpu_time_limit_not_the_wall_clock()
    {
        var result = await sandbox.RunAsync(["python3", "-c", "while True: pass"], "small-limits");

        Assert.False(result.TimedOut);
        Assert.Contains(result.Signal, new int?[] { 24, 9 });
        Assert.Contains(result.LimitHits, h => h.Limit == "cpu-time" && h.Value == 1000);
        Assert.DoesNotContain(result.LimitHits, h => h.Limit == "wall-time");
    }

    [Fact]
    public async Task Every_process_of_a_sandbox_gets_every_rlimit_of_its_profile()
    {
        // Act: a child of the program (cat under sh) reads its own limits.
        var result = await sandbox.ShAsync("cat /proc/self/limits", profile: "small-limits-default");

        // Assert
        Assert.Equal(0, result.ExitCode);
        AssertSmallLimits(result.Stdout, cpuSeconds: 1);
    }

    [Fact]
    public async Task Every_exec_of_a_live_sandbox_gets_every_rlimit_of_its_profile()
    {
        // Arrange
        using var live = await sandbox.Runner.StartLiveAsync(new LiveSandboxRequest { Profile = "small-limits-default", Caller = "test" }, null, TestContext.Current.CancellationToken);

        // Act
        var result = await live.ExecAsync(new LiveExecRequest { Command = ["sh", "-c", "cat /proc/self/limits"] }, TestContext.Current.CancellationToken);

        // Assert: the CPU time of a live sandbox is its own budget for all its execs ([sandboxes] cpu_time, 10 min).
        Assert.Equal(0, result.ExitCode);
        AssertSmallLimits(result.Stdout, cpuSeconds: 600);
    }

    /// <summary>small-limits(-default): 1 MiB files, 32 open files, the CPU seconds given (SIGKILL a second later), no core dumps.</summary>
    private static void AssertSmallLimits(string limits, int cpuSeconds)
    {
        var lines = limits.Split('\n').Select(line => Regex.Replace(line, " {2,}", "|").TrimEnd('|')).ToList();
        Assert.Contains("Max file size|1048576|1048576|bytes", lines);
        Assert.Contains("Max open files|32|32|files", lines);
        Assert.Contains($"Max cpu time|{cpuSeconds}|{cpuSeconds + 1}|seconds", lines);
        Assert.Contains("Max core file size|0|0|bytes", lines);
    }
}
