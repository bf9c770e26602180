using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using static Aisbx.Sandbox.Interop.Interop;

using Aisbx.Launcher;

namespace Aisbx.Sandbox.Live;

/// <summary>
/// aisbx's end of a live sandbox's control socket. Frames go out with the descriptors aisbx made for them (pipes and
/// request files); frames come in from inside the sandbox, so each is taken only if it is exactly one frame long,
/// and at most one descriptor beside it is ever accepted (more are closed unread by the kernel).
/// </summary>
internal sealed unsafe class AgentChannel(SafeFileHandle socket) : IDisposable
{
    /// <summary>The ready frame's: the filter's listener and the two egress listeners.</summary>
    private const int MaxDescriptors = 3;

    public int Fd => (int)socket.DangerousGetHandle();

    public bool Send(AgentMessage frame, ReadOnlySpan<int> descriptors)
    {
        var bytes = stackalloc byte[AgentMessage.Size];
        var message = new Span<byte>(bytes, AgentMessage.Size);
        frame.WriteTo(message);
        return SendWithDescriptors(Fd, message, descriptors);
    }

    /// <summary>Reads one frame without waiting.</summary>
    /// <returns>
    /// <see cref="ReceiveResult.Frame"/> with the frame (and a descriptor, or -1; the ready frame alone has more,
    /// the egress listeners, in <paramref name="extra"/>), <see cref="ReceiveResult.Nothing"/>,
    /// <see cref="ReceiveResult.Closed"/> when the agent is gone, or <see cref="ReceiveResult.Malformed"/>.
    /// </returns>
    public ReceiveResult Receive(out AgentMessage frame, out int descriptor, out int[] extra)
    {
        frame = default;
        descriptor = -1;
        extra = [];
        var bytes = stackalloc byte[AgentMessage.Size + 1];
        var controlSize = CmsgSpace(MaxDescriptors);
        var control = stackalloc byte[controlSize];
        new Span<byte>(control, controlSize).Clear();
        var iov = new IoVec { Base = bytes, Length = AgentMessage.Size + 1 };
        var message = new MsgHdr { Iov = &iov, IovLength = 1, Control = control, ControlLength = (nuint)controlSize };
        var received = RecvMsg(Fd, &message, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
        if (received < 0)
        {
            return Marshal.GetLastPInvokeError() is EAGAIN or EINTR ? ReceiveResult.Nothing : ReceiveResult.Closed;
        }

        if (received == 0)
        {
            return ReceiveResult.Closed;
        }

        var descriptors = ReceivedDescriptors(control, message.ControlLength);
        if (!descriptors.IsEmpty)
        {
            descriptor = descriptors[0];
            extra = descriptors[1..].ToArray();
        }

        if (received != AgentMessage.Size || (message.Flags & MSG_CTRUNC) != 0)
        {
            CloseAll(descriptor, extra);
            descriptor = -1;
            extra = [];
            return ReceiveResult.Malformed;
        }

        frame = AgentMessage.ReadFrom(new ReadOnlySpan<byte>(bytes, AgentMessage.Size));
        return ReceiveResult.Frame;
    }

    public static void CloseAll(int descriptor, int[] extra)
    {
        if (descriptor >= 0)
        {
            _ = Close(descriptor);
        }

        foreach (var other in extra)
        {
            _ = Close(other);
        }
    }

    public void Dispose() => socket.Dispose();
}

internal enum ReceiveResult
{
    Frame,
    Nothing,
    Closed,
    Malformed,
}
