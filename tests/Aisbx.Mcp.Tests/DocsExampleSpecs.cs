using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Aisbx.Mcp.Tests;

/// <summary>Every client example in docs/mcp.md, run as written (with this checkout for /path/to/aisbx).</summary>
public partial class DocsExampleSpecs
{
    private static readonly string Page = File.ReadAllText(Path.Combine(Repository.Root, "docs", "mcp.md"));

    private static string Local(string text) => text.Replace("/path/to/aisbx", Repository.Root, StringComparison.Ordinal);

    [Fact]
    public async Task The_claude_desktop_block_starts_a_server_that_lists_the_tools()
    {
        var json = JsonBlock().Match(Page).Groups[1].Value;
        using var document = JsonDocument.Parse(json);
        var server = document.RootElement.GetProperty("mcpServers").GetProperty("aisbx");
        var command = Local(server.GetProperty("command").GetString()!);
        var args = server.GetProperty("args").EnumerateArray().Select(a => a.GetString()!).ToList();

        Assert.Equal(McpTools.All, await ListToolsOverStdio(command, args));
    }

    [Fact]
    public async Task The_claude_code_line_starts_a_server_that_lists_the_tools()
    {
        var line = ClaudeStdioLine().Match(Page).Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(McpTools.All, await ListToolsOverStdio(Local(line[0]), line[1..]));
    }

    [Fact]
    public async Task The_http_form_serves_at_the_url_the_claude_code_line_names()
    {
        var start = HttpStartLine().Match(Page).Groups[1].Value;
        var url = ClaudeHttpLine().Match(Page).Groups[1].Value;
        var port = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var words = Local(start).Replace("8080", port, StringComparison.Ordinal).Split(' ');
        var config = Directory.CreateTempSubdirectory("aisbx-mcp-docs-").FullName;
        using var process = McpServerProcess.Start(words[0], [.. words[1..], "--config", config]);
        try
        {
            using var mcp = new McpHttp(new Uri(url.Replace("8080", port, StringComparison.Ordinal)));
            for (var i = 0; i < 100; i++)
            {
                try
                {
                    await mcp.InitializeAsync();
                    break;
                }
                catch (HttpRequestException) when (i < 99)
                {
                    await Task.Delay(100, TestContext.Current.CancellationToken);
                }
            }

            var (_, message) = await mcp.PostAsync("""{"jsonrpc":"2.0","id":2,"method":"tools/list"}""");
            Assert.Contains(message!.Value.GetProperty("result").GetProperty("tools").EnumerateArray(), t => t.GetProperty("name").GetString() == "aisbx-run");
        }
        finally
        {
            process.Kill();
            await process.WaitForExitAsync(TestContext.Current.CancellationToken);
            Directory.Delete(config, recursive: true);
        }
    }

    private static async Task<List<string>> ListToolsOverStdio(string command, IEnumerable<string> args)
    {
        using var process = McpServerProcess.Start(command, args);
        var input = process.StandardInput;
        await input.WriteLineAsync("""{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"docs","version":"1"}}}""");
        await input.WriteLineAsync("""{"jsonrpc":"2.0","method":"notifications/initialized"}""");
        await input.WriteLineAsync("""{"jsonrpc":"2.0","id":2,"method":"tools/list"}""");
        await input.FlushAsync(TestContext.Current.CancellationToken);
        try
        {
            while (await process.StandardOutput.ReadLineAsync(TestContext.Current.CancellationToken) is { } line)
            {
                var message = JsonDocument.Parse(line).RootElement;
                if (message.TryGetProperty("id", out var id) && id.GetInt32() == 2)
                {
                    return [.. message.GetProperty("result").GetProperty("tools").EnumerateArray().Select(t => t.GetProperty("name").GetString()!)];
                }
            }

            throw new InvalidOperationException("the server closed stdout before it listed its tools");
        }
        finally
        {
            input.Close();
            await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex("```json\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex JsonBlock();

    [GeneratedRegex("^claude mcp add aisbx -- (.+)$", RegexOptions.Multiline)]
    private static partial Regex ClaudeStdioLine();

    [GeneratedRegex("^(/path/to/aisbx/aisbx-mcp --transport http .+)$", RegexOptions.Multiline)]
    private static partial Regex HttpStartLine();

    [GeneratedRegex("^claude mcp add --transport http aisbx (\\S+)$", RegexOptions.Multiline)]
    private static partial Regex ClaudeHttpLine();
}
