using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Aisbx.Launcher;

/// <summary>
/// The proxy's ports inside the sandbox (127.0.0.1:3128 and :1080 when the network is an allowlist). They are
/// opened here, in the sandbox's own network namespace, before the program exists, and handed to aisbx, which
/// accepts on them from the host: no relay runs inside, no host port is opened, and a program that connects at
/// once finds the port listening.
/// </summary>
internal static unsafe class EgressListeners
{
    private const uint Loopback = 0x7F000001;
    private const int Backlog = 256;

    /// <returns>One listening socket per port, in order; throws when any cannot be opened (the program never runs).</returns>
    public static int[] Open(IReadOnlyList<int> ports)
    {
        var sockets = new int[ports.Count];
        for (var i = 0; i < ports.Count; i++)
        {
            sockets[i] = Listen(ports[i]);
        }

        return sockets;
    }

    private static int Listen(int port)
    {
        var socket = Native.Socket(Native.AF_INET, Native.SOCK_STREAM | Native.SOCK_CLOEXEC, 0);
        if (socket < 0)
        {
            throw new InvalidOperationException($"could not open the proxy's port 127.0.0.1:{port} ({Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())})");
        }

        var address = new Native.SockAddrIn
        {
            Family = Native.AF_INET,
            Port = BinaryPrimitives.ReverseEndianness((ushort)port),
            Address = BinaryPrimitives.ReverseEndianness(Loopback),
        };
        if (Native.Bind(socket, &address, (uint)sizeof(Native.SockAddrIn)) != 0 || Native.Listen(socket, Backlog) != 0)
        {
            var error = Marshal.GetLastPInvokeError();
            Native.Close(socket);
            throw new InvalidOperationException($"could not listen on the proxy's port 127.0.0.1:{port} ({Marshal.GetPInvokeErrorMessage(error)})");
        }

        return socket;
    }
}
