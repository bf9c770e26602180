using System.Globalization;
using System.Runtime.InteropServices;

namespace Aisbx.Mcp.Tests;

/// <summary>SIGTERM or SIGINT ends the server cleanly: every sandbox it started is ended, and nothing is left.</summary>
public class ShutdownSpecs
{
    [DllImport("libc", EntryPoint = "kill")]
    private static extern int Kill(int pid, int signal);

    [Theory]
    [InlineData(15)]
    [InlineData(2)]
    public async Task A_signal_ends_the_server_and_every_sandbox_it_started(int signal)
    {
        var tag = Random.Shared.Next(100_000, 999_999).ToString(CultureInfo.InvariantCulture);
        var config = Directory.CreateTempSubdirectory("aisbx-mcp-shutdown-").FullName;
        // As from a terminal: a job started in the background (CI, 'cmd &') inherits SIGINT ignored, and .NET, like
        // every well-behaved program, keeps an inherited ignore. env resets it to the default first.
        using var process = McpServerProcess.Start("/usr/bin/env", ["--default-signal=INT,TERM", McpServerProcess.Binary, "--config", config]);
        var input = process.StandardInput;
        await input.WriteLineAsync("""{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}""");
        await input.WriteLineAsync("""{"jsonrpc":"2.0","method":"notifications/initialized"}""");
        await input.WriteLineAsync("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"aisbx-run\",\"arguments\":{\"command\":[\"sh\",\"-c\",\"sleep 4" + tag + "\"]}}}");
        await input.FlushAsync(TestContext.Current.CancellationToken);
        for (var i = 0; i < 100 && Processes.Matching($"sleep 4{tag}") == 0; i++)
        {
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        Assert.Equal(1, Processes.Matching($"sleep 4{tag}"));

        Assert.Equal(0, Kill(process.Id, signal));
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        wait.CancelAfter(TimeSpan.FromSeconds(15));
        await process.WaitForExitAsync(wait.Token);

        Assert.Equal(0, await Processes.MatchingAfterAsync($"sleep 4{tag}", TimeSpan.FromSeconds(5)));
        Directory.Delete(config, recursive: true);
    }
}
