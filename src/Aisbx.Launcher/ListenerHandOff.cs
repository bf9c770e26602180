using System.Runtime.InteropServices;

namespace Aisbx.Launcher;

/// <summary>Sends the listener descriptor to aisbx as SCM_RIGHTS ancillary data on the inherited socket.</summary>
internal static unsafe class ListenerHandOff
{
    private const int SOL_SOCKET = 1;
    private const int SCM_RIGHTS = 1;

    public static bool Send(int socket, int listener, out int error)
    {
        error = 0;
        byte marker = (byte)'L';
        var iov = new Native.IoVec { Base = &marker, Length = 1 };
        var control = stackalloc byte[Native.CmsgSpaceForOneFd];
        new Span<byte>(control, Native.CmsgSpaceForOneFd).Clear();
        var header = (Native.CmsgHdr*)control;
        header->Length = (nuint)Native.CmsgLengthForOneFd;
        header->Level = SOL_SOCKET;
        header->Type = SCM_RIGHTS;
        *(int*)(control + sizeof(Native.CmsgHdr)) = listener;

        var message = new Native.MsgHdr { Iov = &iov, IovLength = 1, Control = control, ControlLength = (nuint)Native.CmsgSpaceForOneFd };
        if (Native.SendMsg(socket, &message, 0) != 1)
        {
            error = Marshal.GetLastPInvokeError();
            return false;
        }

        return true;
    }
}
