using System.Text;
using Aisbx.Sandbox.Live;
using static Aisbx.Sandbox.Tests.Live.LiveSandboxStateTests;

namespace Aisbx.Sandbox.Tests.Live;

/// <summary>Background processes: output read in pieces from ring buffers, stdin written later, signals, waiting.</summary>
[Collection(nameof(RealSandboxes))]
public class LiveProcessTests(SandboxFixture sandbox)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Background_output_is_read_in_pieces_from_the_offset_each_read_returns()
    {
        // Arrange
        using var live = await sandbox.Runner.StartLiveAsync(new LiveSandboxRequest { Caller = "test" }, null, Cancel);
        var process = await live.StartBackgroundAsync(Sh("for i in 1 2 3 4 5 6 7 8 9; do echo line$i; done; echo oops >&2"), Cancel);
        await live.WaitAsync(process.Pid, Cancel);

        // Act
        var first = live.ReadOutput(process.Pid, 0, 0, 12);
        var second = live.ReadOutput(process.Pid, first.Offset, first.StderrOffset, 1000);
        var again = live.ReadOutput(process.Pid, second.Offset, second.StderrOffset, 1000);

        // Assert
        Assert.Equal("line1\nline2\n", first.Stdout);
        Assert.Equal(12, first.Offset);
        Assert.Equal("line3\nline4\nline5\nline6\nline7\nline8\nline9\n", second.Stdout);
        Assert.Equal("oops\n", first.Stderr);
        Assert.Equal("", again.Stdout);
        Assert.False(again.Running);
        Assert.Equal(0, again.ExitCode);
        Assert.Equal(0, second.Dropped);
    }

    [Fact]
    public async Task A_reader_that_comes_back_after_the_ring_wrapped_is_told_how_much_was_dropped()
    {
        // Arrange
        var runner = LiveRunners.With(sandbox, s => s with { RingBytes = 4096 });
        using var live = await runner.StartLiveAsync(new LiveSandboxRequest { Caller = "test" }, null, Cancel);
        var process = await live.StartBackgroundAsync(Sh("i=0; while [ $i -lt 1000 ]; do printf '%09d\\n' $i; i=$((i+1)); done"), Cancel);
        await live.WaitAsync(process.Pid, Cancel);

        // Act
        var output = live.ReadOutput(process.Pid, 0, 0, 65536);

        // Assert: 10,000 bytes written, the last 4096 kept.
        Assert.Equal(10_000 - 4096, output.Dropped);
        Assert.Equal(10_000, output.Offset);
        Assert.Equal(4096, output.Stdout.Length);
        Assert.EndsWith("000000999\n", output.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_background_process_reads_what_is_written_to_its_stdin_later()
    {
        // Arrange
        using var live = await sandbox.Runner.StartLiveAsync(new LiveSandboxRequest { Caller = "test" }, null, Cancel);
        var process = await live.StartBackgroundAsync(new LiveExecRequest { Command = ["tr", "a-z", "A-Z"] }, Cancel);

        // Act
        await live.WriteInputAsync(process.Pid, Encoding.UTF8.GetBytes("hello "), close: false, Cancel);
        await live.WriteInputAsync(process.Pid, Encoding.UTF8.GetBytes("again\n"), close: true, Cancel);
        var result = await live.WaitAsync(process.Pid, Cancel);

        // Assert
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("HELLO AGAIN\n", result.Stdout);
    }

    [Fact]
    public async Task Input_a_process_does_not_read_is_held_up_to_a_bound_then_refused_by_name()
    {
        // Arrange
        using var live = await sandbox.Runner.StartLiveAsync(new LiveSandboxRequest { Caller = "test" }, null, Cancel);
        var process = await live.StartBackgroundAsync(new LiveExecRequest { Command = ["sleep", "600"] }, Cancel);
        var chunk = new byte[LiveSandbox.MaxPendingInputBytes];

        // Act
        await live.WriteInputAsync(process.Pid, chunk, close: false, Cancel);
        var refused = await Assert.ThrowsAsync<SandboxFileException>(() => live.WriteInputAsync(process.Pid, chunk, close: false, Cancel));
        var alive = await live.ExecAsync(new LiveExecRequest { Command = ["echo", "alive"] }, Cancel);

        // Assert
        Assert.Equal("stdin-full", refused.Rule);
        Assert.StartsWith("the stdin of the sandbox's processes holds ", refused.Message, StringComparison.Ordinal);
        Assert.Equal("alive\n", alive.Stdout);
    }

    [Fact]
    public async Task A_signal_reaches_a_background_process_and_its_end_is_reported()
    {
        // Arrange
        using var live = await sandbox.Runner.StartLiveAsync(new LiveSandboxRequest { Caller = "test" }, null, Cancel);
        var process = await live.StartBackgroundAsync(Sh("trap 'echo got TERM; exit 3' TERM; echo ready; while :; do sleep 0.05; done"), Cancel);
        while (!live.ReadOutput(process.Pid, 0, 0, 100).Stdout.Contains("ready", StringComparison.Ordinal))
        {
            await Task.Delay(20, Cancel);
        }

        // Act
        await live.SignalAsync(process.Pid, 15, Cancel);
        var result = await live.WaitAsync(process.Pid, Cancel);

        // Assert
        Assert.Equal(3, result.ExitCode);
        Assert.Contains("got TERM", result.Stdout, StringComparison.Ordinal);
        Assert.False(live.ReadOutput(process.Pid, 0, 0, 100).Running);
    }

    [Fact]
    public async Task Stdin_given_to_an_exec_is_read_to_its_end()
    {
        // Arrange
        using var live = await sandbox.Runner.StartLiveAsync(new LiveSandboxRequest { Caller = "test" }, null, Cancel);
        var input = new string('x', 200_000) + "\nend\n";

        // Act
        var result = await live.ExecAsync(new LiveExecRequest { Command = ["wc", "-c"], Stdin = Encoding.UTF8.GetBytes(input) }, Cancel);

        // Assert
        Assert.Equal($"{input.Length}\n", result.Stdout);
    }
}
