using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Aisbx.Sandbox.Tests.Network;

/// <summary>
/// The proxy's listening sockets this test process holds: its descriptors that are TCP sockets bound to
/// 127.0.0.1:3128 or :1080 and listening. Nothing else in the test process listens there (its own servers use
/// other addresses and ports), so these are the egress proxy's, whichever sandbox they came from.
/// </summary>
internal static partial class ProxyListeners
{
    private const int SOL_SOCKET = 1;
    private const int SO_ACCEPTCONN = 30;
    private const int AF_INET = 2;

    public static int Count()
    {
        var count = 0;
        foreach (var entry in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
        {
            if (!int.TryParse(Path.GetFileName(entry), out var fd) || Target(entry) is not { } target || !target.StartsWith("socket:", StringComparison.Ordinal))
            {
                continue;
            }

            var address = new byte[16];
            var length = address.Length;
            var listening = 0;
            var size = sizeof(int);
            if (GetSockName(fd, address, ref length) == 0 && BinaryPrimitives.ReadUInt16LittleEndian(address) == AF_INET
                && BinaryPrimitives.ReadUInt16BigEndian(address.AsSpan(2)) is 3128 or 1080
                && address.AsSpan(4, 4).SequenceEqual(new byte[] { 127, 0, 0, 1 })
                && GetSockOpt(fd, SOL_SOCKET, SO_ACCEPTCONN, ref listening, ref size) == 0 && listening == 1)
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>Null for a descriptor closed since the listing (other tests of the process run meanwhile).</summary>
    private static string? Target(string entry)
    {
        try
        {
            return File.ResolveLinkTarget(entry, false)?.Name;
        }
        catch (IOException)
        {
            return null;
        }
    }

    [LibraryImport("libc", EntryPoint = "getsockname")]
    private static partial int GetSockName(int fd, [Out] byte[] address, ref int length);

    [LibraryImport("libc", EntryPoint = "getsockopt")]
    private static partial int GetSockOpt(int fd, int level, int name, ref int value, ref int length);
}
