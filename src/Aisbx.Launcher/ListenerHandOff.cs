using System.Runtime.InteropServices;

namespace Aisbx.Launcher;

/// <summary>
/// Sends the filter's listener to aisbx as SCM_RIGHTS ancillary data on the inherited socket, in one message with
/// the egress listeners after it (when there are any).
/// </summary>
internal static unsafe class ListenerHandOff
{
    private const int SOL_SOCKET = 1;
    private const int SCM_RIGHTS = 1;

    public const int MaxDescriptors = 3;

    public static bool Send(int socket, int listener, ReadOnlySpan<int> egress, out int error)
    {
        error = 0;
        byte marker = (byte)'L';
        var iov = new Native.IoVec { Base = &marker, Length = 1 };
        var count = 1 + egress.Length;
        var space = Native.CmsgSpace(count);
        var control = stackalloc byte[Native.CmsgSpace(MaxDescriptors)];
        new Span<byte>(control, space).Clear();
        var header = (Native.CmsgHdr*)control;
        header->Length = (nuint)Native.CmsgLength(count);
        header->Level = SOL_SOCKET;
        header->Type = SCM_RIGHTS;
        var descriptors = (int*)(control + sizeof(Native.CmsgHdr));
        descriptors[0] = listener;
        egress.CopyTo(new Span<int>(descriptors + 1, egress.Length));

        var message = new Native.MsgHdr { Iov = &iov, IovLength = 1, Control = control, ControlLength = (nuint)space };
        if (Native.SendMsg(socket, &message, 0) != 1)
        {
            error = Marshal.GetLastPInvokeError();
            return false;
        }

        return true;
    }
}
