using System.Runtime.InteropServices;

namespace Aisbx.Launcher;

/// <summary>The socket calls behind the egress listeners.</summary>
internal static unsafe partial class Native
{
    public const int AF_INET = 2;
    public const int SOCK_STREAM = 1;
    public const int SOCK_CLOEXEC = 0x80000;

    /// <summary>struct sockaddr_in; the port and address in network byte order.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct SockAddrIn
    {
        public ushort Family;
        public ushort Port;
        public uint Address;
        public ulong Zero;
    }

    [LibraryImport(Libc, EntryPoint = "socket", SetLastError = true)]
    public static partial int Socket(int domain, int type, int protocol);

    [LibraryImport(Libc, EntryPoint = "bind", SetLastError = true)]
    public static partial int Bind(int socket, SockAddrIn* address, uint length);

    [LibraryImport(Libc, EntryPoint = "listen", SetLastError = true)]
    public static partial int Listen(int socket, int backlog);

    public static int CmsgLength(int descriptors) => sizeof(CmsgHdr) + descriptors * sizeof(int);

    public static int CmsgSpace(int descriptors) => sizeof(CmsgHdr) + ((descriptors * sizeof(int)) + 7 & ~7);
}
