using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Aisbx.Sandbox.Tests.Egress;

/// <summary>
/// A TCP server on a loopback address of the test's choice (the whole of 127/8 is local on Linux), standing for
/// a host on the internet. Each accepted connection is handed to <paramref name="serve"/>; the server counts them.
/// </summary>
internal sealed class LoopbackServer : IDisposable
{
    private readonly TcpListener _listener;
    private readonly Func<Socket, CancellationToken, Task> _serve;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentBag<Socket> _accepted = [];
    private int _connections;

    public LoopbackServer(string address, Func<Socket, CancellationToken, Task> serve)
    {
        _listener = new TcpListener(IPAddress.Parse(address), 0);
        _listener.Start();
        _serve = serve;
        _ = AcceptAsync();
    }

    public IPEndPoint Endpoint => (IPEndPoint)_listener.LocalEndpoint;

    public int Port => Endpoint.Port;

    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Completes when the first connection arrived.</summary>
    public TaskCompletionSource FirstConnection { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Echoes every byte back until the client ends its stream.</summary>
    public static async Task Echo(Socket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
            if (read == 0)
                break;
            await socket.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, cancellationToken);
        }
        socket.Shutdown(SocketShutdown.Send);
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var socket = await _listener.AcceptSocketAsync(_stop.Token);
                _accepted.Add(socket);
                Interlocked.Increment(ref _connections);
                FirstConnection.TrySetResult();
                _ = ServeAsync(socket);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        try
        {
            await _serve(socket, _stop.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException or IOException)
        {
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        foreach (var socket in _accepted)
            socket.Dispose();
        _stop.Dispose();
    }
}
