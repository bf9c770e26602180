using System.Diagnostics;
using System.Text.RegularExpressions;
using Aisbx.Tests.Shared;

namespace Aisbx.Mcp.Tests;

/// <summary>
/// The published <c>aisbx-mcp</c> (built by <c>./test.sh</c>, beside aisbx and its launcher), serving Streamable
/// HTTP on a free loopback port with a private config directory, for the specs of one class.
/// </summary>
public sealed partial class McpServerProcess : IAsyncLifetime
{
    private Process? _process;

    public static string Binary => Environment.GetEnvironmentVariable("AISBX_MCP_BIN") is { Length: > 0 } fromEnv
        ? fromEnv
        : Path.Combine(Repository.Root, ".build", "aisbx", "aisbx-mcp");

    public string ConfigDirectory { get; } = PrivateConfig("[server]\nrequests_per_minute = 100000\nmax_running_per_key = 16\n");

    /// <summary>A fresh config directory; the MCP specs lift the rate limit, which has specs of its own.</summary>
    public static string PrivateConfig(string configToml)
    {
        var directory = Directory.CreateTempSubdirectory("aisbx-mcp-tests-").FullName;
        File.WriteAllText(Path.Combine(directory, "config.toml"), configToml);
        return directory;
    }

    public Uri Url { get; private set; } = null!;

    public int Port => Url.Port;

    public async ValueTask InitializeAsync()
    {
        Assert.True(File.Exists(Binary), $"aisbx-mcp not found at {Binary}: run ./test.sh, which builds it");
        // SIGTERM at its default disposition (the test host's children may inherit it ignored): DisposeAsync stops it so.
        _process = Start("/usr/bin/env", ["--default-signal=TERM", Binary, "--transport", "http", "--port", "0", "--config", ConfigDirectory]);
        while (await _process.StandardError.ReadLineAsync() is { } line)
        {
            if (ServingLine().Match(line) is { Success: true } match)
            {
                Url = new Uri(match.Groups[1].Value);
                _ = DrainAsync(_process.StandardError);
                return;
            }
        }

        throw new InvalidOperationException($"aisbx-mcp exited ({_process.ExitCode}) before it served");
    }

    public static Process Start(string binary, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(binary) { RedirectStandardError = true, RedirectStandardOutput = true, RedirectStandardInput = true };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return Process.Start(info)!;
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            // As an operator stops it: the server ends its sandboxes and its pool's waiting ones, and leaves no
            // workspace or cgroup to the next start's sweep (a SIGKILL here did, after the pool came).
            await HostCommands.StopAsync(_process);
        }

        _process?.Dispose();
        Directory.Delete(ConfigDirectory, recursive: true);
    }

    private static async Task DrainAsync(StreamReader reader)
    {
        while (await reader.ReadLineAsync() is not null)
        {
        }
    }

    [GeneratedRegex("serving MCP at (http://\\S+/mcp)")]
    private static partial Regex ServingLine();
}
