namespace Aisbx.Launcher;

/// <summary>The agent's end of the control socket: one frame per message, with up to four descriptors beside it.</summary>
internal static unsafe class ControlSocket
{
    public const int MaxDescriptors = 4;
    private const int SOL_SOCKET = 1;
    private const int SCM_RIGHTS = 1;
    private static int ControlSpace => sizeof(Native.CmsgHdr) + MaxDescriptors * sizeof(int);

    /// <returns>False when aisbx closed its end (or the socket failed): the agent's work is over.</returns>
    public static bool Receive(int socket, out AgentMessage message, Span<int> descriptors, out int count)
    {
        message = default;
        count = 0;
        var frame = stackalloc byte[AgentMessage.Size + 1];
        var control = stackalloc byte[ControlSpace];
        while (true)
        {
            new Span<byte>(control, ControlSpace).Clear();
            var iov = new Native.IoVec { Base = frame, Length = AgentMessage.Size + 1 };
            var header = new Native.MsgHdr { Iov = &iov, IovLength = 1, Control = control, ControlLength = (nuint)ControlSpace };
            var received = Native.RecvMsg(socket, &header, Native.MSG_CMSG_CLOEXEC);
            if (received < 0 && Native.LastError == Native.EINTR)
            {
                continue;
            }

            if (received <= 0)
            {
                return false;
            }

            var cmsg = (Native.CmsgHdr*)control;
            if (header.ControlLength >= (nuint)sizeof(Native.CmsgHdr) && cmsg->Level == SOL_SOCKET && cmsg->Type == SCM_RIGHTS)
            {
                count = Math.Min(MaxDescriptors, ((int)cmsg->Length - sizeof(Native.CmsgHdr)) / sizeof(int));
                for (var i = 0; i < count; i++)
                {
                    descriptors[i] = ((int*)(control + sizeof(Native.CmsgHdr)))[i];
                }
            }

            message = received == AgentMessage.Size ? AgentMessage.ReadFrom(new ReadOnlySpan<byte>(frame, AgentMessage.Size)) : default;
            return true;
        }
    }

    public static bool Send(int socket, AgentMessage message, int descriptor = -1) =>
        descriptor < 0 ? Send(socket, message, []) : Send(socket, message, [descriptor]);

    public static bool Send(int socket, AgentMessage message, ReadOnlySpan<int> descriptors)
    {
        var frame = stackalloc byte[AgentMessage.Size];
        message.WriteTo(new Span<byte>(frame, AgentMessage.Size));
        var iov = new Native.IoVec { Base = frame, Length = AgentMessage.Size };
        var control = stackalloc byte[Native.CmsgSpace(MaxDescriptors)];
        var header = new Native.MsgHdr { Iov = &iov, IovLength = 1 };
        if (descriptors.Length > 0)
        {
            var space = Native.CmsgSpace(descriptors.Length);
            new Span<byte>(control, space).Clear();
            var cmsg = (Native.CmsgHdr*)control;
            cmsg->Length = (nuint)Native.CmsgLength(descriptors.Length);
            cmsg->Level = SOL_SOCKET;
            cmsg->Type = SCM_RIGHTS;
            descriptors.CopyTo(new Span<int>(control + sizeof(Native.CmsgHdr), descriptors.Length));
            header.Control = control;
            header.ControlLength = (nuint)space;
        }

        while (true)
        {
            var sent = Native.SendMsg(socket, &header, Native.MSG_NOSIGNAL);
            if (sent < 0 && Native.LastError == Native.EINTR)
            {
                continue;
            }

            return sent == AgentMessage.Size;
        }
    }
}
