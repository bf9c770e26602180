using Aisbx.Core;

namespace Aisbx.Cli.Commands.LiveSandboxes;

/// <summary>
/// The server the sandbox commands talk to (<c>--server URL</c>, else <c>$AISBX_SERVER</c>) and the key they show it
/// (<c>$AISBX_API_KEY</c> only: a flag would leave it in shell history and in <c>ps</c>). The key is never printed.
/// </summary>
internal sealed class ServerEndpoint
{
    public const string ServerVariable = "AISBX_SERVER";

    public const string KeyVariable = "AISBX_API_KEY";

    private ServerEndpoint(Uri baseAddress, string? key)
    {
        BaseAddress = baseAddress;
        Key = key;
    }

    /// <summary>The server's root, ending in <c>/</c>: the REST API is under <c>v1/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The server's root, for messages.</summary>
    public string Display => BaseAddress.AbsoluteUri.TrimEnd('/');

    public string? Key { get; }

    /// <exception cref="AisbxException">No server is set, its URL is not http(s), the key cannot be a key, or it would go over plain HTTP to another machine.</exception>
    public static ServerEndpoint Resolve(string? serverOption)
    {
        var text = serverOption ?? Environment.GetEnvironmentVariable(ServerVariable);
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new AisbxException(
                $"no aisbx server is set (rule server): pass --server URL or export {ServerVariable}=URL, the address 'aisbx-mcp --transport http' prints (e.g. http://127.0.0.1:8080)");
        }

        var url = Parse(text.Trim());
        var key = KeyFromEnvironment();
        if (key is not null && url.Scheme == "http" && !IsLoopback(url))
        {
            // Anyone on the path would read the key, and with it use every sandbox of its owner.
            throw new SandboxRefusal("plain-http",
                $"the key in {KeyVariable} would cross the network unencrypted to {url.Host} (rule plain-http): serve https ([server] tls_certificate) and use https://, or reach the server through a tunnel to 127.0.0.1 (ssh -L)");
        }

        return new ServerEndpoint(url, key);
    }

    private static bool IsLoopback(Uri url) =>
        url.IsLoopback || (System.Net.IPAddress.TryParse(url.DnsSafeHost, out var address) && System.Net.IPAddress.IsLoopback(address));

    private static Uri Parse(string text)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https") || url.Host.Length == 0
            || url.Query.Length > 0 || url.Fragment.Length > 0 || url.UserInfo.Length > 0)
        {
            throw new AisbxException(
                $"'{Printable.Line(text)}' is not a server address (rule server): give http://HOST:PORT or https://HOST:PORT, as 'aisbx-mcp --transport http' prints it");
        }

        // The address the server prints ends in /mcp or /v1: either leads to the same root.
        var path = url.AbsolutePath.TrimEnd('/');
        foreach (var suffix in new[] { "/mcp", "/v1" })
        {
            if (path.EndsWith(suffix, StringComparison.Ordinal))
            {
                path = path[..^suffix.Length];
            }
        }

        return new UriBuilder(url) { Path = path + "/" }.Uri;
    }

    private static string? KeyFromEnvironment()
    {
        var key = Environment.GetEnvironmentVariable(KeyVariable);
        if (string.IsNullOrEmpty(key))
        {
            return null;
        }

        // Checked here, because the HTTP stack's own refusal of a header value quotes the value.
        if (key.Length > 1024 || key.Any(c => c is <= ' ' or > '~'))
        {
            throw new AisbxException(
                $"{KeyVariable} does not hold a key (rule auth): it has a space, a control or a non-ASCII character; export the key exactly as 'aisbx keys create' printed it");
        }

        return key;
    }
}
