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

    /// <summary>Starts the server, makes one request (with the key, if any), stops it, and returns its stderr lines.</summary>
    private static async Task<(bool Served, List<string> Lines)> FirstLinesAsync(string config, string? key = null)
    {
        using var process = McpServerProcess.Start(McpServerProcess.Binary, ["--transport", "http", "--port", "0", "--config", config]);
        var lines = new List<string>();
        var first = await process.StandardError.ReadLineAsync(TestContext.Current.CancellationToken) ?? "";
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
