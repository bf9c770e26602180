using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Aisbx.Tests.Shared;

/// <summary>
/// A plain HTTP/1.1 server on a loopback address the test picks (127.0.0.2, 127.0.0.3, ...: the whole of 127/8 is
/// the host's loopback), standing in for a registry behind the egress proxy. It answers every request with
/// <c>upstream PATH</c>; <c>/bytes/N</c> answers N bytes; <c>/hold</c> answers nothing and keeps the connection
/// until the other end closes it. It records each request's head, and each connection's end.
/// </summary>
internal sealed class LoopbackUpstream : IDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<string> _requests = new();
    private readonly ConcurrentQueue<TcpClient> _clients = new();
    private int _connections;
    private int _heldClosed;

    public LoopbackUpstream(string address)
    {
        _listener = new TcpListener(IPAddress.Parse(address), 0);
        _listener.Start();
        _ = AcceptAsync();
    }

    public IPAddress Address => ((IPEndPoint)_listener.LocalEndpoint).Address;

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public IReadOnlyCollection<string> Requests => _requests;

    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Completes once a <c>/hold</c> connection has been closed by the other end.</summary>
    public TaskCompletionSource HeldConnectionClosed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once a <c>/hold</c> request has arrived.</summary>
    public TaskCompletionSource HeldConnectionOpen { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int HeldClosed => Volatile.Read(ref _heldClosed);

    private async Task AcceptAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                Interlocked.Increment(ref _connections);
                _clients.Enqueue(client);
                _ = ServeAsync(client);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        try
        {
            var stream = client.GetStream();
            var head = await ReadHeadAsync(stream);
            if (head is null)
            {
                return;
            }

            _requests.Enqueue(head);
            var path = head.Split(' ') is [_, var target, ..] ? target : "/";
            if (path == "/hold")
            {
                HeldConnectionOpen.TrySetResult();
                var buffer = new byte[1024];
                while (await stream.ReadAsync(buffer, _stop.Token) > 0)
                {
                }

                Interlocked.Increment(ref _heldClosed);
                HeldConnectionClosed.TrySetResult();
                return;
            }

            var body = path.StartsWith("/bytes/", StringComparison.Ordinal) && int.TryParse(path[7..], out var size)
                ? new byte[size]
                : Encoding.ASCII.GetBytes($"upstream {path}\n");
            var answer = Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n");
            await stream.WriteAsync(answer, _stop.Token);
            await stream.WriteAsync(body, _stop.Token);
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
        finally
        {
            client.Dispose();
        }
    }

    private static async Task<string?> ReadHeadAsync(NetworkStream stream)
    {
        var head = new StringBuilder();
        var one = new byte[1];
        while (head.Length < 16384)
        {
            if (await stream.ReadAsync(one) == 0)
            {
                return null;
            }

            head.Append((char)one[0]);
            if (head.Length >= 4 && head.ToString(head.Length - 4, 4) == "\r\n\r\n")
            {
                return head.ToString();
            }
        }

        return null;
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        while (_clients.TryDequeue(out var client))
        {
            client.Dispose();
        }

        _stop.Dispose();
    }
}
