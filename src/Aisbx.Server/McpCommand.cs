using System.CommandLine;
using System.Net;
using Aisbx.Core;
using Aisbx.Core.Configuration;

namespace Aisbx.Server;

/// <summary>
/// <c>aisbx-mcp [--transport stdio|http] [--host H] [--port P] [--config DIR]</c>. Its own errors are one line on
/// stderr and exit 125, like the aisbx command's.
/// </summary>
internal static class McpCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var transport = new Option<string>("--transport") { Description = "stdio (default) or http (Streamable HTTP at /mcp)", DefaultValueFactory = _ => "stdio" };
        transport.AcceptOnlyFromAmong("stdio", "http");
        var host = new Option<string>("--host") { Description = "Address to listen on with --transport http (default 127.0.0.1; loopback only until API keys exist)", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port") { Description = "Port to listen on with --transport http (default 8080; 0 picks a free one)", DefaultValueFactory = _ => 8080 };
        var allowedHosts = new Option<string[]>("--allowed-host") { Description = "Another Host header to accept (repeatable), e.g. behind a reverse proxy" };
        var allowedOrigins = new Option<string[]>("--allowed-origin") { Description = "Another Origin to accept (repeatable), e.g. https://app.example" };
        var config = new Option<string?>("--config") { Description = "Config directory (default: $AISBX_HOME, else ~/.aisbx)" };
        var root = new RootCommand("aisbx-mcp: aisbx's sandbox as MCP tools (aisbx-run, live sandboxes with aisbx-sandbox-*, aisbx-file-*, aisbx-process-*, aisbx-build, aisbx-profile-list) over stdio or Streamable HTTP")
        {
            transport, host, port, allowedHosts, allowedOrigins, config,
        };

        var parsed = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (parsed.Errors.Count > 0)
        {
            return Fail($"{parsed.Errors[0].Message.TrimEnd('.')} (see 'aisbx-mcp --help')");
        }

        if (parsed.Action is not null && parsed.CommandResult.Command == root && (args.Contains("--help") || args.Contains("-h") || args.Contains("--version")))
        {
            return await parsed.InvokeAsync().ConfigureAwait(false);
        }

        try
        {
            var settings = AisbxConfigLoader.Load(parsed.GetValue(config));
            if (parsed.GetValue(transport) == "http")
            {
                var address = ParseAddress(parsed.GetValue(host)!, new Core.Security.ApiKeys(settings.KeysFile, TimeProvider.System).Any());
                var listenPort = parsed.GetValue(port);
                if (listenPort is < 0 or > 65535)
                {
                    return Fail($"--port {listenPort} is not a port: give 1-65535, or 0 for a free one");
                }

                return await HttpTransport.RunAsync(settings, address, listenPort, parsed.GetValue(allowedHosts) ?? [], parsed.GetValue(allowedOrigins) ?? []).ConfigureAwait(false);
            }

            return await StdioTransport.RunAsync(settings).ConfigureAwait(false);
        }
        catch (AisbxException ex)
        {
            return Fail(ex.Message);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A bug: say so in one line, without a stack trace, as the aisbx command does.
            return Fail($"internal error ({ex.GetType().Name}): {ex.Message.Split('\n')[0]}. Please report it");
        }
    }

    /// <summary>Only loopback addresses until API keys exist: an open sandbox server must not face the network.</summary>
    private static IPAddress ParseAddress(string host, bool keysExist)
    {
        var address = host == "localhost" ? IPAddress.Loopback
            : IPAddress.TryParse(host, out var parsed) ? parsed
            : throw new AisbxException($"--host '{host}' is not an IP address: give 127.0.0.1, ::1, or with API keys another address of this host");
        return IPAddress.IsLoopback(address) || keysExist
            ? address
            : throw new AisbxException($"--host {host} is not a loopback address, and no API keys exist: create one first ('aisbx keys create --name NAME'), or serve on 127.0.0.1");
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine("aisbx-mcp: " + message);
        return Core.Runs.ExitCodes.OwnError;
    }
}
