using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Aisbx.Sandbox.Tests.Egress;

/// <summary>A raw HTTP/1.1 response: status, headers (names lowercased), body.</summary>
internal sealed record RawResponse(int Status, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public string? Header(string name) => Headers.GetValueOrDefault(name.ToLowerInvariant());
}

/// <summary>What a program in the sandbox does: raw bytes to the proxy, so that every byte is the test's choice.</summary>
internal static class ProxyClient
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public static async Task<Socket> ConnectAsync(IPEndPoint endpoint)
    {
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(endpoint, Cancel);
        return socket;
    }

    public static async Task SendAsync(Socket socket, string text) => await SendAsync(socket, Encoding.Latin1.GetBytes(text));

    public static async Task SendAsync(Socket socket, byte[] bytes)
    {
        for (var sent = 0; sent < bytes.Length;)
            sent += await socket.SendAsync(bytes.AsMemory(sent), SocketFlags.None, Cancel);
    }

    /// <summary>Sends <paramref name="request"/> on a new connection and reads the answer to the end of the stream.</summary>
    public static async Task<RawResponse> RequestAsync(IPEndPoint proxy, string request)
    {
        using var socket = await ConnectAsync(proxy);
        await SendAsync(socket, request);
        return Parse(await ReadToEndAsync(socket));
    }

    /// <summary>
    /// CONNECT to <paramref name="target"/> on a new connection: the answer's head, and its body unless it is a 200
    /// (a tunnel, closed again at once).
    /// </summary>
    public static async Task<RawResponse> TunnelAsync(IPEndPoint proxy, string target)
    {
        using var socket = await ConnectAsync(proxy);
        await SendAsync(socket, $"CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n\r\n");
        var head = await ReadHeadAsync(socket);
        return head.Status == 200 ? head : head with { Body = Encoding.UTF8.GetString(await ReadToEndAsync(socket)) };
    }

    /// <summary>Reads a response head (and nothing after it: one byte at a time), as a client does before a tunnel.</summary>
    public static async Task<RawResponse> ReadHeadAsync(Socket socket)
    {
        var head = new List<byte>();
        var one = new byte[1];
        while (head.Count < 4 || !(head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n'))
        {
            if (await socket.ReceiveAsync(one, SocketFlags.None, Cancel) == 0)
                break;
            head.Add(one[0]);
        }
        return Parse([.. head]);
    }

    public static async Task<byte[]> ReadToEndAsync(Socket socket)
    {
        var all = new MemoryStream();
        var buffer = new byte[64 * 1024];
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, Cancel)) > 0)
                all.Write(buffer, 0, read);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
        }
        return all.ToArray();
    }

    public static async Task<byte[]> ReadExactlyAsync(Socket socket, int count)
    {
        var buffer = new byte[count];
        for (var filled = 0; filled < count;)
        {
            var read = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, Cancel);
            if (read == 0)
                throw new EndOfStreamException($"the stream ended after {filled} of {count} bytes");
            filled += read;
        }
        return buffer;
    }

    public static RawResponse Parse(byte[] bytes)
    {
        var text = Encoding.UTF8.GetString(bytes);
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (end < 0)
            return new RawResponse(0, new Dictionary<string, string>(), text);
        var lines = text[..end].Split("\r\n");
        var headers = new Dictionary<string, string>();
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            headers[line[..colon].Trim().ToLowerInvariant()] = line[(colon + 1)..].Trim();
        }
        return new RawResponse(int.Parse(lines[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture), headers, text[(end + 4)..]);
    }

    /// <summary>Reads an HTTP request head on the server's side, to the blank line.</summary>
    public static async Task<string> ReadRequestHeadAsync(Socket socket, CancellationToken cancellationToken)
    {
        var head = new StringBuilder();
        var one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await socket.ReceiveAsync(one, SocketFlags.None, cancellationToken) == 0)
                break;
            head.Append((char)one[0]);
        }
        return head.ToString();
    }
}
