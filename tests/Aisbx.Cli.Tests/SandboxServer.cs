using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Aisbx.Tests.Shared;

namespace Aisbx.Cli.Tests;

/// <summary>
/// The built <c>aisbx-mcp</c> serving HTTP on a free loopback port, with a private config directory and an API key
/// made by the built <c>aisbx keys create</c>; and the built <c>aisbx</c> to drive it as a user would, with
/// <c>AISBX_SERVER</c> and <c>AISBX_API_KEY</c> set.
/// </summary>
public partial class SandboxServer : IAsyncLifetime
{
    private Process? _server;

    public AisbxBinary Aisbx { get; } = new();

    public static string ServerBinary => Environment.GetEnvironmentVariable("AISBX_MCP_BIN") is { Length: > 0 } fromEnv
        ? fromEnv
        : Path.Combine(AisbxBinary.RepositoryRoot(), ".build", "aisbx", "aisbx-mcp");

    public Uri Url { get; private set; } = null!;

    /// <summary>The server's <c>[server]</c> settings: the rate limit lifted, as the other specs of the service do.</summary>
    protected virtual string ServerSettings => "requests_per_minute = 100000";

    public string Key { get; private set; } = "";

    /// <summary>The environment of a client that has both the server and the key.</summary>
    public Dictionary<string, string?> Client => new() { ["AISBX_SERVER"] = Url.ToString(), ["AISBX_API_KEY"] = Key };

    public async ValueTask InitializeAsync()
    {
        Assert.True(File.Exists(ServerBinary), $"aisbx-mcp not found at {ServerBinary}: run ./test.sh, which builds it");
        File.AppendAllText(Path.Combine(Aisbx.ConfigDirectory, "config.toml"), $"\n[server]\n{ServerSettings}\n");
        var created = await RunAsync([], new Dictionary<string, string?>(), "keys", "create", "--name", "cli-specs");
        Assert.True(created.ExitCode == 0, created.Stderr);
        Key = created.Stdout.Trim();

        var info = new ProcessStartInfo(ServerBinary) { RedirectStandardError = true, RedirectStandardOutput = true, RedirectStandardInput = true };
        foreach (var arg in new[] { "--transport", "http", "--port", "0", "--config", Aisbx.ConfigDirectory })
        {
            info.ArgumentList.Add(arg);
        }

        _server = Process.Start(info)!;
        while (await _server.StandardError.ReadLineAsync() is { } line)
        {
            if (ServingLine().Match(line) is { Success: true } match)
            {
                Url = new Uri(match.Groups[1].Value);
                _ = _server.StandardError.ReadToEndAsync();
                _ = _server.StandardOutput.ReadToEndAsync();
                return;
            }
        }

        throw new InvalidOperationException($"aisbx-mcp exited ({_server.ExitCode}) before it served");
    }

    /// <summary>
    /// Runs <c>aisbx --config DIR ARGS...</c> with <paramref name="stdin"/> piped in and these variables set (a null
    /// value removes the variable, so that the test's own environment cannot leak in).
    /// </summary>
    public async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(byte[] stdin, IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        var (exitCode, stdout, stderr) = await RunBytesAsync(stdin, environment, args);
        return (exitCode, Encoding.UTF8.GetString(stdout), stderr);
    }

    /// <summary>As <see cref="RunAsync"/>, with stdout as the bytes aisbx wrote.</summary>
    public async Task<(int ExitCode, byte[] Stdout, string Stderr)> RunBytesAsync(byte[] stdin, IReadOnlyDictionary<string, string?> environment, string[] args, bool keepStdinOpen = false)
    {
        var info = new ProcessStartInfo(Aisbx.Path) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        info.Environment.Remove("AISBX_SERVER");
        info.Environment.Remove("AISBX_API_KEY");
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        info.ArgumentList.Add("--config");
        info.ArgumentList.Add(Aisbx.ConfigDirectory);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        using var stdout = new MemoryStream();
        var stdoutCopied = process.StandardOutput.BaseStream.CopyToAsync(stdout, TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        try
        {
            await process.StandardInput.BaseStream.WriteAsync(stdin, TestContext.Current.CancellationToken);
        }
        catch (IOException)
        {
            // aisbx refused before it read all of stdin (over the bound): what it said is what the test looks at.
        }

        if (keepStdinOpen)
        {
            // A pipe nobody closes, as a script's stdin can be: aisbx must not wait for its end.
            using var bound = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            bound.CancelAfter(TimeSpan.FromSeconds(60));
            try
            {
                await process.WaitForExitAsync(bound.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill();
                Assert.Fail($"aisbx {string.Join(' ', args)} waited for a stdin that stayed open");
            }
        }

        process.StandardInput.Close();
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        await stdoutCopied;
        return (process.ExitCode, stdout.ToArray(), await stderr);
    }

    /// <summary>Runs an <c>aisbx sandbox</c> command as a client with the server and the key.</summary>
    public Task<(int ExitCode, string Stdout, string Stderr)> SandboxAsync(string stdin, params string[] args) =>
        RunAsync(Encoding.UTF8.GetBytes(stdin), Client, ["sandbox", .. args]);

    public async ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        if (_server is { HasExited: false })
        {
            await HostCommands.StopAsync(_server);
        }

        _server?.Dispose();
        Aisbx.Dispose();
    }

    [GeneratedRegex("REST API at (http://\\S+)/v1")]
    private static partial Regex ServingLine();
}
