namespace Aisbx.Sandbox.Tests;

[Collection(nameof(RealSandboxes))]
public class OutputTests(SandboxFixture sandbox)
{
    [Fact]
    public async Task Output_over_the_cap_is_truncated_and_flagged()
    {
        var result = await sandbox.ShAsync("head -c 100000 /dev/zero | tr '\\0' a; echo small >&2", profile: "tiny-output");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(4096, result.Stdout.Length);
        Assert.True(result.StdoutTruncated);
        Assert.False(result.StderrTruncated);
        Assert.Equal("small\n", result.Stderr);
        Assert.Contains(result.LimitHits, h => h.Limit == "output" && h.Value == 4096);
    }

    [Fact]
    public async Task Stdout_and_stderr_are_kept_apart()
    {
        var result = await sandbox.ShAsync("echo to-out; echo to-err >&2");

        Assert.Equal("to-out\n", result.Stdout);
        Assert.Equal("to-err\n", result.Stderr);
        Assert.Empty(result.LimitHits);
    }

    [Fact]
    public async Task Streamed_output_passes_through_as_it_comes()
    {
        using var stdout = new MemoryStream();
        using var stderr = new MemoryStream();

        var result = await sandbox.Runner.RunAsync(
            new Core.Runs.RunRequest { Command = ["/bin/sh", "-c", "echo streamed; echo oops >&2; exit 4"] },
            new RunIo { Stdout = stdout, Stderr = stderr },
            TestContext.Current.CancellationToken);

        Assert.Equal(4, result.ExitCode);
        Assert.Equal("streamed\n", System.Text.Encoding.UTF8.GetString(stdout.ToArray()));
        Assert.Equal("oops\n", System.Text.Encoding.UTF8.GetString(stderr.ToArray()));
        Assert.Equal("", result.Stdout);
    }
}
