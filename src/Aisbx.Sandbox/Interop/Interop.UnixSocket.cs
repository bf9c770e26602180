using System.Runtime.InteropServices;

namespace Aisbx.Sandbox.Interop;

/// <summary>A listening or connecting unix socket at a path, and who is at its other end.</summary>
internal static partial class Interop
{
    internal const int SO_PEERCRED = 17;
    internal const short POLLRDHUP = 0x2000;
    internal const int SHUT_WR = 1;
    internal const int SHUT_RDWR = 2;
    internal const int MSG_TRUNC = 0x20;
    internal const int ENOENT = 2;
    internal const int ECONNREFUSED = 111;

    /// <summary>struct sockaddr_un.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct SockaddrUn
    {
        public ushort Family;
        public fixed byte Path[108];
    }

    /// <summary>struct ucred.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct UCred
    {
        public int Pid;
        public uint Uid;
        public uint Gid;
    }

    [LibraryImport(Libraries.Libc, EntryPoint = "socket", SetLastError = true)]
    internal static partial int Socket(int domain, int type, int protocol);

    [LibraryImport(Libraries.Libc, EntryPoint = "bind", SetLastError = true)]
    internal static unsafe partial int Bind(int socket, SockaddrUn* address, uint length);

    [LibraryImport(Libraries.Libc, EntryPoint = "listen", SetLastError = true)]
    internal static partial int Listen(int socket, int backlog);

    [LibraryImport(Libraries.Libc, EntryPoint = "accept4", SetLastError = true)]
    internal static unsafe partial int Accept4(int socket, void* address, void* length, int flags);

    [LibraryImport(Libraries.Libc, EntryPoint = "connect", SetLastError = true)]
    internal static unsafe partial int Connect(int socket, SockaddrUn* address, uint length);

    [LibraryImport(Libraries.Libc, EntryPoint = "getsockopt", SetLastError = true)]
    internal static unsafe partial int GetSockOpt(int socket, int level, int name, void* value, uint* length);

    [LibraryImport(Libraries.Libc, EntryPoint = "shutdown", SetLastError = true)]
    internal static partial int Shutdown(int socket, int how);

    [LibraryImport(Libraries.Libc, EntryPoint = "setsid", SetLastError = true)]
    internal static partial int SetSid();
}
