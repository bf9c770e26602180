using System.Diagnostics;

namespace Aisbx.Mcp.Tests;

/// <summary>Runs a Node program from tests/mcp-clients and collects what it printed.</summary>
public static class NodeScript
{
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string node, IEnumerable<string> args, TimeSpan timeout)
    {
        Assert.True(File.Exists(Path.Combine(Repository.Clients, "node_modules", "@modelcontextprotocol", "sdk", "package.json")),
            "the Node clients are not installed: run ./test.sh, which installs them with npm ci");
        var info = new ProcessStartInfo(node) { WorkingDirectory = Repository.Clients, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cancel.CancelAfter(timeout);
        var stdout = process.StandardOutput.ReadToEndAsync(cancel.Token);
        var stderr = process.StandardError.ReadToEndAsync(cancel.Token);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}
