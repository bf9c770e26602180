using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Aisbx.Sandbox.Egress;

/// <summary>
/// The target's shape, checked before anything else sees it: a DNS name of letters, digits, '-', '_' and '.'
/// (at most 253, lowercased), a dotted-quad IPv4 literal, or a bracketed IPv6 literal; a port of 1-65535. Nothing
/// else reaches the policy, the resolver, a message or a header.
/// </summary>
internal static class HostSyntax
{
    private static readonly SearchValues<char> NameChars =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.");

    /// <summary>The host as the policy sees it (IPv6 without brackets), or null when it is not a valid host.</summary>
    public static string? Normalize(ReadOnlySpan<char> host)
    {
        if (host.Length > 2 && host[0] == '[' && host[^1] == ']')
        {
            var inner = host[1..^1];
            return inner.IndexOf('%') < 0 && IPAddress.TryParse(inner, out var v6) && v6.AddressFamily == AddressFamily.InterNetworkV6
                ? v6.ToString()
                : null;
        }
        if (host.Length is 0 or > 253 || host.ContainsAnyExcept(NameChars) || host[0] == '.' || host.Contains("..", StringComparison.Ordinal))
            return null;
        return host.ToString().ToLowerInvariant();
    }

    /// <summary>A normalized host's address when it is an IP literal (dotted quad, or IPv6), else null.</summary>
    public static IPAddress? AsLiteral(string host)
    {
        if (host.Contains(':', StringComparison.Ordinal))
            return IPAddress.TryParse(host, out var v6) ? v6 : null;
        var parts = host.Split('.');
        if (parts.Length != 4 || !parts.All(p => p.Length is > 0 and <= 3 && p.All(char.IsAsciiDigit)))
            return null;
        return IPAddress.TryParse(host, out var v4) ? v4 : null;
    }

    /// <summary><c>HOST:PORT</c> (port required, or <paramref name="defaultPort"/> when it is given and the port absent).</summary>
    public static (string Host, int Port)? ParseAuthority(ReadOnlySpan<char> authority, int? defaultPort)
    {
        var colon = authority.LastIndexOf(':');
        var closing = authority.LastIndexOf(']');
        ReadOnlySpan<char> hostPart = authority, portPart = default;
        if (colon > closing)
        {
            hostPart = authority[..colon];
            portPart = authority[(colon + 1)..];
        }
        else if (defaultPort is null)
        {
            return null;
        }
        if (hostPart.Length > 0 && hostPart[0] != '[' && hostPart.Contains(':'))
            return null;
        var host = Normalize(hostPart);
        var port = portPart.IsEmpty && colon <= closing ? defaultPort : ParsePort(portPart);
        return host is null || port is null ? null : (host, port.Value);
    }

    public static int? ParsePort(ReadOnlySpan<char> text) =>
        text.Length is > 0 and <= 5 && !text.ContainsAnyExceptInRange('0', '9')
        && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and <= 65535
            ? port
            : null;

    /// <summary>How a target is written in messages: <c>host:443</c>, <c>[::1]:443</c>.</summary>
    public static string Show(string host, int port) =>
        host.Contains(':', StringComparison.Ordinal) ? $"[{host}]:{port}" : $"{host}:{port}";
}
