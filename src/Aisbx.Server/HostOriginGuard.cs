using System.Net;
using Microsoft.AspNetCore.Http;

namespace Aisbx.Server;

/// <summary>
/// DNS-rebinding protection, as the MCP spec requires of Streamable HTTP servers: a request whose Host is not one of
/// the server's own names, or whose Origin (when sent) is not a page of those names, gets 403 and never reaches MCP.
/// The accepted names come from the address the server listens on (and the operator's options), nothing else.
/// </summary>
internal sealed class HostOriginGuard
{
    private readonly HashSet<string> _names;
    private readonly Func<int> _port;
    private readonly HashSet<string> _extraHosts;
    private readonly HashSet<string> _extraOrigins;

    public HostOriginGuard(IPAddress address, Func<int> port, IEnumerable<string> extraHosts, IEnumerable<string> extraOrigins)
    {
        _names = IPAddress.IsLoopback(address)
            ? new HashSet<string>(["localhost", "127.0.0.1", "[::1]"], StringComparer.OrdinalIgnoreCase)
            : new HashSet<string>([address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString()], StringComparer.OrdinalIgnoreCase);
        _port = port;
        _extraHosts = new HashSet<string>(extraHosts, StringComparer.OrdinalIgnoreCase);
        _extraOrigins = new HashSet<string>(extraOrigins.Select(o => o.TrimEnd('/')), StringComparer.OrdinalIgnoreCase);
    }

    public async Task InvokeAsync(HttpContext context, Func<Task> next)
    {
        var host = context.Request.Headers.Host.ToString();
        var origin = context.Request.Headers.Origin.ToString();
        if (!HostAllowed(host))
        {
            await Refuse(context, $"Host '{Printable(host)}' is not this server's: DNS rebinding protection").ConfigureAwait(false);
            return;
        }

        if (origin.Length > 0 && !OriginAllowed(origin))
        {
            await Refuse(context, $"Origin '{Printable(origin)}' may not call this server: DNS rebinding protection").ConfigureAwait(false);
            return;
        }

        await next().ConfigureAwait(false);
    }

    public bool HostAllowed(string host)
    {
        if (_extraHosts.Contains(host))
        {
            return true;
        }

        var (name, port) = Split(host);
        return name is not null && _names.Contains(name) && (port is null || port == _port());
    }

    public bool OriginAllowed(string origin)
    {
        if (_extraOrigins.Contains(origin.TrimEnd('/')))
        {
            return true;
        }

        return Uri.TryCreate(origin, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" &&
            _names.Contains(FormatHost(uri)) &&
            (uri.IsDefaultPort || uri.Port == _port());
    }

    private static string FormatHost(Uri uri) => uri.HostNameType == UriHostNameType.IPv6 ? $"[{uri.IdnHost.Trim('[', ']')}]" : uri.IdnHost;

    private static (string? Name, int? Port) Split(string host)
    {
        if (host.Length == 0)
        {
            return (null, null);
        }

        var colon = host.LastIndexOf(':');
        var bracket = host.LastIndexOf(']');
        if (colon < 0 || colon < bracket)
        {
            return (host, null);
        }

        return int.TryParse(host.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port)
            ? (host[..colon], port)
            : (null, null);
    }

    private static Task Refuse(HttpContext context, string reason) =>
        ErrorReply.WriteAsync(context, StatusCodes.Status403Forbidden, "host-origin", -32000, reason);

    private static string Printable(string value) =>
        new([.. value.Take(100).Select(c => char.IsControl(c) || c == '\'' || c == '\\' ? '?' : c)]);
}
