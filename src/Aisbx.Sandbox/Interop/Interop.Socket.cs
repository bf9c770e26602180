using System.Runtime.InteropServices;

namespace Aisbx.Sandbox.Interop;

/// <summary>A unix socket pair, and descriptors sent and received as SCM_RIGHTS.</summary>
internal static partial class Interop
{
    internal const int AF_UNIX = 1;
    internal const int SOCK_SEQPACKET = 5;
    internal const int SOCK_CLOEXEC = 0x80000;
    internal const int SOL_SOCKET = 1;
    internal const int SCM_RIGHTS = 1;
    internal const int MSG_CMSG_CLOEXEC = 0x40000000;
    internal const int MSG_DONTWAIT = 0x40;
    internal const int MSG_NOSIGNAL = 0x4000;
    internal const int MSG_CTRUNC = 0x8;

    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct IoVec
    {
        public byte* Base;
        public nuint Length;
    }

    /// <summary>struct msghdr (64-bit layout).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct MsgHdr
    {
        public void* Name;
        public uint NameLength;
        public IoVec* Iov;
        public nuint IovLength;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    /// <summary>struct cmsghdr; its data follows, aligned to 8 bytes.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct CmsgHdr
    {
        public nuint Length;
        public int Level;
        public int Type;
    }

    /// <summary>CMSG_SPACE for <paramref name="descriptors"/> descriptors: the control buffer that holds them.</summary>
    internal static unsafe int CmsgSpace(int descriptors) => sizeof(CmsgHdr) + ((descriptors * sizeof(int)) + 7 & ~7);

    /// <summary>The descriptors of a received SCM_RIGHTS message in <paramref name="control"/>; empty when it carried none.</summary>
    internal static unsafe ReadOnlySpan<int> ReceivedDescriptors(byte* control, nuint controlLength)
    {
        var header = (CmsgHdr*)control;
        return controlLength >= (nuint)(sizeof(CmsgHdr) + sizeof(int)) && header->Level == SOL_SOCKET && header->Type == SCM_RIGHTS
            ? new ReadOnlySpan<int>(control + sizeof(CmsgHdr), ((int)header->Length - sizeof(CmsgHdr)) / sizeof(int))
            : [];
    }

    /// <summary>The most descriptors <see cref="SendWithDescriptors"/> passes in one message.</summary>
    internal const int MaxSentDescriptors = 8;

    /// <summary>
    /// Sends one message with <paramref name="descriptors"/> beside it as SCM_RIGHTS (no control message for none),
    /// again after EINTR, never raising SIGPIPE; whether all of it went.
    /// </summary>
    internal static unsafe bool SendWithDescriptors(int socket, ReadOnlySpan<byte> message, ReadOnlySpan<int> descriptors)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(descriptors.Length, MaxSentDescriptors);
        var controlSize = CmsgSpace(MaxSentDescriptors);
        var control = stackalloc byte[controlSize];
        fixed (byte* bytes = message)
        {
            var iov = new IoVec { Base = bytes, Length = (nuint)message.Length };
            var header = new MsgHdr { Iov = &iov, IovLength = 1 };
            if (!descriptors.IsEmpty)
            {
                new Span<byte>(control, controlSize).Clear();
                var rights = (CmsgHdr*)control;
                rights->Length = (nuint)(sizeof(CmsgHdr) + descriptors.Length * sizeof(int));
                rights->Level = SOL_SOCKET;
                rights->Type = SCM_RIGHTS;
                descriptors.CopyTo(new Span<int>(control + sizeof(CmsgHdr), descriptors.Length));
                header.Control = control;
                header.ControlLength = (nuint)CmsgSpace(descriptors.Length);
            }

            while (true)
            {
                var sent = SendMsg(socket, &header, MSG_NOSIGNAL);
                if (sent < 0 && Marshal.GetLastPInvokeError() == EINTR)
                {
                    continue;
                }

                return sent == message.Length;
            }
        }
    }

    [LibraryImport(Libraries.Libc, EntryPoint = "socketpair", SetLastError = true)]
    internal static unsafe partial int SocketPair(int domain, int type, int protocol, int* fds);

    [LibraryImport(Libraries.Libc, EntryPoint = "sendmsg", SetLastError = true)]
    internal static unsafe partial nint SendMsg(int socket, MsgHdr* message, int flags);

    [LibraryImport(Libraries.Libc, EntryPoint = "recvmsg", SetLastError = true)]
    internal static unsafe partial nint RecvMsg(int socket, MsgHdr* message, int flags);
}
