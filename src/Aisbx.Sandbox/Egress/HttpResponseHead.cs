using System.Text;

namespace Aisbx.Sandbox.Egress;

/// <summary>
/// The upstream's response head, rewritten so that the client will not send a second request on this connection
/// (which would go to the same upstream, whatever host it names): <c>Connection: close</c>, without the
/// connection's own headers.
/// </summary>
internal static class HttpResponseHead
{
    /// <summary>The head to send on, and its status code; null when the status line is not HTTP/1.x NNN.</summary>
    public static (byte[] Head, int Status)? Rewrite(ReadOnlySpan<byte> head)
    {
        var lines = Encoding.Latin1.GetString(head[..^4]).Split("\r\n");
        var status = lines[0];
        if (status.Length < 12 || !status.StartsWith("HTTP/1.", StringComparison.Ordinal) || status[8] != ' '
            || !int.TryParse(status.AsSpan(9, 3), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var code)
            || (status.Length > 12 && status[12] != ' '))
            return null;
        if (code is >= 100 and < 200)
            return (head.ToArray(), code);

        var dropped = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "connection", "keep-alive", "proxy-connection" };
        foreach (var line in lines.AsSpan(1))
        {
            if (line.StartsWith("connection:", StringComparison.OrdinalIgnoreCase))
            {
                foreach (var token in line["connection:".Length..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                    dropped.Add(token);
            }
        }
        var rewritten = new StringBuilder(head.Length + 24).Append(status).Append("\r\n");
        foreach (var line in lines.AsSpan(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && dropped.Contains(line[..colon].Trim()))
                continue;
            rewritten.Append(line).Append("\r\n");
        }
        rewritten.Append("Connection: close\r\n\r\n");
        return (Encoding.Latin1.GetBytes(rewritten.ToString()), code);
    }
}
