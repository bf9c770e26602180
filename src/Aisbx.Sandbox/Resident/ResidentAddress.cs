using System.Text;
using static Aisbx.Sandbox.Interop.Interop;

namespace Aisbx.Sandbox.Resident;

/// <summary>
/// A socket's address for a path of any length: sockaddr_un holds 108 bytes, so the directory is opened and named
/// through <c>/proc/self/fd</c> (a config directory under a long temporary path would not fit).
/// </summary>
internal static unsafe class ResidentAddress
{
    private const int PathCapacity = 108;

    public delegate bool Use(SockaddrUn* address, uint length);

    public static bool With(string path, Use use)
    {
        var directory = Path.GetDirectoryName(path) ?? "/";
        var dirFd = Open(directory, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
        if (dirFd < 0)
        {
            return false;
        }

        try
        {
            var name = $"/proc/self/fd/{dirFd}/{Path.GetFileName(path)}";
            var bytes = Encoding.UTF8.GetBytes(name);
            if (bytes.Length >= PathCapacity)
            {
                return false;
            }

            var address = new SockaddrUn { Family = AF_UNIX };
            bytes.CopyTo(new Span<byte>(address.Path, PathCapacity));
            return use(&address, (uint)(sizeof(ushort) + bytes.Length + 1));
        }
        finally
        {
            _ = Close(dirFd);
        }
    }
}
