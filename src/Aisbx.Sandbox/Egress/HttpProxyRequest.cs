using System.Text;

namespace Aisbx.Sandbox.Egress;

/// <summary>
/// A proxy request's head, parsed strictly: <c>CONNECT host:port HTTP/1.x</c> (a tunnel), or an absolute-form
/// <c>http://</c> request (any method), rewritten to origin-form with the Host the URI names, without proxy and
/// hop-by-hop headers, and with <c>Connection: close</c>. Anything else is <see cref="Error"/>: one line for a 400
/// that never echoes the request.
/// </summary>
internal sealed record HttpProxyRequest(bool IsConnect, string Host, int Port, byte[]? ForwardHead, string? Error)
{
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "connection", "keep-alive", "proxy-authorization", "proxy-authenticate", "proxy-connection", "te", "trailer",
        "upgrade", "host",
    };

    private const string Usage = "send CONNECT HOST:PORT HTTP/1.1, or METHOD http://HOST[:PORT]/PATH HTTP/1.1";

    public static HttpProxyRequest Invalid(string error) => new(false, "", 0, null, error);

    public static HttpProxyRequest Parse(ReadOnlySpan<byte> head)
    {
        // The head ends in CRLFCRLF (HeadReader); a NUL, or a CR or LF that is not part of a CRLF, is refused
        // here so that no line can mean one thing to this parser and another to the server.
        var text = Encoding.Latin1.GetString(head[..^4]);
        var lines = text.Split("\r\n");
        if (lines.Any(l => l.AsSpan().IndexOfAny('\r', '\n', '\0') >= 0))
            return Invalid("the request head has a bare CR, LF or NUL");
        var parts = lines[0].Split(' ');
        if (parts.Length != 3 || parts[0].Length == 0 || !IsToken(parts[0]) || parts[2] is not ("HTTP/1.1" or "HTTP/1.0"))
            return Invalid($"the request line is malformed: {Usage}");
        var (method, target, version) = (parts[0], parts[1], parts[2]);
        if (target.Length == 0 || target.AsSpan().ContainsAnyExceptInRange('!', '~'))
            return Invalid($"the request target is malformed: {Usage}");

        if (method == "CONNECT")
        {
            return HostSyntax.ParseAuthority(target, defaultPort: null) is { } authority
                ? new HttpProxyRequest(true, authority.Host, authority.Port, null, null)
                : Invalid("CONNECT takes HOST:PORT (a name or IP and a port 1-65535)");
        }
        if (target.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
            return Invalid("https:// URLs go through CONNECT: set HTTPS_PROXY=http://127.0.0.1:3128");
        if (!target.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
            return Invalid($"this is a proxy, and only http:// URLs are forwarded: {Usage}");
        return ParseForward(method, target["http://".Length..], version, lines);
    }

    private static HttpProxyRequest ParseForward(string method, string rest, string version, string[] lines)
    {
        var end = rest.AsSpan().IndexOfAny('/', '?', '#');
        var authorityText = end < 0 ? rest : rest[..end];
        var path = end < 0 ? "/" : rest[end..];
        if (authorityText.Contains('@', StringComparison.Ordinal))
            return Invalid("credentials in the URL are not forwarded; remove USER@ from it");
        if (HostSyntax.ParseAuthority(authorityText, defaultPort: 80) is not { } authority)
            return Invalid("the URL's host or port is malformed (a name or IP and a port 1-65535)");
        var fragment = path.IndexOf('#', StringComparison.Ordinal);
        if (fragment >= 0)
            path = path[..fragment];
        if (path.Length == 0 || path[0] != '/')
            path = "/" + path;

        var dropped = new HashSet<string>(HopByHop, StringComparer.OrdinalIgnoreCase);
        var headers = new List<string>(lines.Length);
        for (var i = 1; i < lines.Length; i++)
        {
            var line = lines[i];
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || !IsToken(line.AsSpan(0, colon)))
                return Invalid("a header line is malformed (NAME: VALUE, no folded lines)");
            var name = line[..colon];
            if (name.Equals("connection", StringComparison.OrdinalIgnoreCase))
            {
                foreach (var token in line[(colon + 1)..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                    dropped.Add(token);
            }
            headers.Add(line);
        }

        var rewritten = new StringBuilder(256);
        rewritten.Append(method).Append(' ').Append(path).Append(' ').Append(version).Append("\r\n");
        rewritten.Append("Host: ").Append(authority.Port == 80 ? ShowHost(authority.Host) : HostSyntax.Show(authority.Host, authority.Port)).Append("\r\n");
        foreach (var line in headers)
        {
            if (!dropped.Contains(line[..line.IndexOf(':', StringComparison.Ordinal)]))
                rewritten.Append(line).Append("\r\n");
        }
        rewritten.Append("Connection: close\r\n\r\n");
        return new HttpProxyRequest(false, authority.Host, authority.Port, Encoding.Latin1.GetBytes(rewritten.ToString()), null);
    }

    private static string ShowHost(string host) => host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host;

    /// <summary>RFC 9110 token characters.</summary>
    internal static bool IsToken(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (c is < '!' or > '~' || "\"(),/:;<=>?@[\\]{}".Contains(c, StringComparison.Ordinal))
                return false;
        }
        return text.Length > 0;
    }
}
