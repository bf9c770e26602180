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
}
