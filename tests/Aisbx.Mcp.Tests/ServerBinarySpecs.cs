using System.Text.RegularExpressions;
using Aisbx.Core.Security;

namespace Aisbx.Mcp.Tests;

/// <summary>The real aisbx-mcp binary: what it says about being open, where it refuses to listen, what it logs per request.</summary>
public partial class ServerBinarySpecs
{
    [Fact]
    public async Task Without_keys_it_refuses_any_address_but_loopback()
    {
        var config = McpServerProcess.PrivateConfig("");
        using var process = McpServerProcess.Start(McpServerProcess.Binary, ["--transport", "http", "--host", "0.0.0.0", "--port", "0", "--config", config]);

        var stderr = await process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);

        Assert.Equal(125, process.ExitCode);
        Assert.StartsWith("aisbx-mcp: --host 0.0.0.0 is not a loopback address, and no API keys exist", stderr, StringComparison.Ordinal);
        Directory.Delete(config, recursive: true);
    }

    [Fact]
    public async Task Open_on_loopback_it_says_so_and_with_keys_each_request_is_logged_by_key_name_never_the_key()
    {
        var config = McpServerProcess.PrivateConfig("");
        var (open, openLines) = await FirstLinesAsync(config);
        var key = new ApiKeys(Path.Combine(config, "keys.json"), TimeProvider.System).Create("nightly", null, null).Key;
        var (guarded, lines) = await FirstLinesAsync(config, key);

        Assert.Contains("OPEN: no API keys exist", openLines[0], StringComparison.Ordinal);
        Assert.Contains("(API keys required)", lines[0], StringComparison.Ordinal);
        var request = Assert.Single(lines, l => l.StartsWith("aisbx-request ", StringComparison.Ordinal));
        Assert.Contains("\"key\":\"nightly\"", request, StringComparison.Ordinal);
        Assert.Contains("\"route\":\"/v1/profiles\"", request, StringComparison.Ordinal);
        Assert.Contains("\"status\":200", request, StringComparison.Ordinal);
        Assert.DoesNotContain(key, string.Join('\n', lines), StringComparison.Ordinal);
        Assert.True(open && guarded);
        Directory.Delete(config, recursive: true);
    }

    [Fact]
    public async Task A_port_in_use_is_one_line_and_exit_125()
    {
        var config = McpServerProcess.PrivateConfig("");
        using var holder = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        holder.Start();
        var port = ((System.Net.IPEndPoint)holder.LocalEndpoint).Port;

        var (exitCode, lines) = await FailedStartAsync(["--transport", "http", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--config", config]);

        Assert.Equal(125, exitCode);
        var line = Assert.Single(lines);
        Assert.Equal($"aisbx-mcp: cannot listen on 127.0.0.1:{port}: the port is in use: pick another --port (0 picks a free one), or stop what holds it", line);
        Directory.Delete(config, recursive: true);
    }

    public static TheoryData<string, string> BrokenSetups => new()
    {
        { "tls-missing", "cannot read /nonexistent/aisbx-cert.pem ([server] tls_certificate in " },
        { "tls-garbage", "cannot be used: give PEM files of a certificate and its private key" },
        { "tls-directory", ": it is a directory: fix the path" },
        { "toml-garbage", "config.toml: not valid TOML: line 1, column 11: " },
        { "toml-directory", "config.toml is a directory: make it a file, or remove it to use the defaults" },
        { "config-is-a-file", "is a file: give a directory (--config DIR, or $AISBX_HOME)" },
    };

    [Theory]
    [MemberData(nameof(BrokenSetups))]
    public async Task A_bad_config_or_unreadable_tls_file_is_one_line_and_exit_125(string setup, string expected)
    {
        var config = McpServerProcess.PrivateConfig("");
        var garbage = Path.Combine(config, "garbage.pem");
        await File.WriteAllTextAsync(garbage, "not a certificate\n", TestContext.Current.CancellationToken);
        var target = config;
        switch (setup)
        {
            case "tls-missing":
                await File.WriteAllTextAsync(Path.Combine(config, "config.toml"), "[server]\ntls_certificate = \"/nonexistent/aisbx-cert.pem\"\ntls_key = \"/nonexistent/aisbx-key.pem\"\n", TestContext.Current.CancellationToken);
                break;
            case "tls-garbage":
                await File.WriteAllTextAsync(Path.Combine(config, "config.toml"), $"[server]\ntls_certificate = \"{garbage}\"\ntls_key = \"{garbage}\"\n", TestContext.Current.CancellationToken);
                break;
            case "tls-directory":
                await File.WriteAllTextAsync(Path.Combine(config, "config.toml"), $"[server]\ntls_certificate = \"{config}\"\ntls_key = \"{garbage}\"\n", TestContext.Current.CancellationToken);
                break;
            case "toml-garbage":
                await File.WriteAllTextAsync(Path.Combine(config, "config.toml"), "garbage = = =\n", TestContext.Current.CancellationToken);
                break;
            case "toml-directory":
                File.Delete(Path.Combine(config, "config.toml"));
                Directory.CreateDirectory(Path.Combine(config, "config.toml"));
                break;
            default:
                target = garbage;
                break;
        }

        var (exitCode, lines) = await FailedStartAsync(["--transport", "http", "--port", "0", "--config", target]);

        Assert.Equal(125, exitCode);
        var line = Assert.Single(lines);
        Assert.StartsWith("aisbx-mcp: ", line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
        Directory.Delete(config, recursive: true);
    }

    /// <summary>Starts the server expecting it to give up; its stderr lines (none may be a stack frame) and exit code.</summary>
    private static async Task<(int ExitCode, string[] Lines)> FailedStartAsync(string[] args)
    {
        using var process = McpServerProcess.Start(McpServerProcess.Binary, args);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        stop.CancelAfter(TimeSpan.FromSeconds(30));
        var stderr = await process.StandardError.ReadToEndAsync(stop.Token);
        await process.WaitForExitAsync(stop.Token);
        return (process.ExitCode, stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>Starts the server, makes one request (with the key, if any), stops it, and returns its stderr lines.</summary>
    private static async Task<(bool Served, List<string> Lines)> FirstLinesAsync(string config, string? key = null)
    {
        using var process = McpServerProcess.Start(McpServerProcess.Binary, ["--transport", "http", "--port", "0", "--config", config]);
        var lines = new List<string>();
        // Events come first when the start-up sweep removed what an earlier, killed server left (other specs kill theirs).
        var first = "";
        while (await process.StandardError.ReadLineAsync(TestContext.Current.CancellationToken) is { } line)
        {
            if (!line.StartsWith("aisbx-event ", StringComparison.Ordinal))
            {
                first = line;
                break;
            }
        }

        lines.Add(first);
        var url = Serving().Match(first);
        if (url.Success && key is not null)
        {
            using var http = new HttpClient();
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
            using var response = await http.GetAsync(new Uri(new Uri(url.Groups[1].Value), "/v1/profiles"), TestContext.Current.CancellationToken);
        }

        process.Kill();
        lines.AddRange((await process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken)).Split('\n', StringSplitOptions.RemoveEmptyEntries));
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (url.Success, lines);
    }

    [GeneratedRegex("serving MCP at (http://\\S+)/mcp")]
    private static partial Regex Serving();
}
