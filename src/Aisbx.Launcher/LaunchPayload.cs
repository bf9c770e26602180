using System.Buffers.Binary;
using System.Text;

namespace Aisbx.Launcher;

/// <summary>
/// What aisbx hands the launcher through a memory file. Little-endian:
/// <c>u32 magic "AXL2"</c>, <c>u32 filter length in bytes</c>, the classic-BPF filter (8-byte instructions),
/// <c>u32 count</c> of environment entries, then each as <c>u32 length</c> and UTF-8 <c>NAME=VALUE</c>, then
/// <c>u32 count</c> of egress ports and each as <c>u32</c> (see <see cref="EgressListeners"/>), then <c>u32 count</c>
/// of rlimits and each as <c>u32 resource, u64 soft, u64 hard</c> (see <see cref="Rlimits"/>).
/// The environment travels here, not in bubblewrap's environment, so that nothing the caller sets (LD_PRELOAD,
/// GLIBC_TUNABLES) reaches a program before the filter is in place.
/// </summary>
internal sealed record LaunchPayload(byte[] Filter, string[] Environment, int[] EgressPorts, Rlimits Rlimits)
{
    public const uint Magic = 0x324C5841; // "AXL2"

    public static LaunchPayload? Read(int fd)
    {
        var bytes = Native.ReadAll(fd);
        Native.Close(fd);
        return bytes is null ? null : Parse(bytes);
    }

    public static LaunchPayload? Parse(ReadOnlySpan<byte> bytes)
    {
        if (!TakeUInt(ref bytes, out var magic) || magic != Magic || !TakeUInt(ref bytes, out var filterLength) ||
            filterLength == 0 || filterLength % 8 != 0 || filterLength > (uint)bytes.Length)
        {
            return null;
        }

        var filter = bytes[..(int)filterLength].ToArray();
        bytes = bytes[(int)filterLength..];
        if (!TakeUInt(ref bytes, out var count) || count > (uint)bytes.Length / 4)
        {
            return null;
        }

        var environment = new string[count];
        for (var i = 0; i < environment.Length; i++)
        {
            if (!TakeUInt(ref bytes, out var length) || length > (uint)bytes.Length)
            {
                return null;
            }

            environment[i] = Encoding.UTF8.GetString(bytes[..(int)length]);
            bytes = bytes[(int)length..];
        }

        if (!TakeUInt(ref bytes, out var portCount) || portCount > 4)
        {
            return null;
        }

        var ports = new int[portCount];
        for (var i = 0; i < ports.Length; i++)
        {
            if (!TakeUInt(ref bytes, out var port) || port is 0 or > 65535)
            {
                return null;
            }

            ports[i] = (int)port;
        }

        if (!TakeUInt(ref bytes, out var rlimitCount) || rlimitCount > Rlimits.MaxCount || bytes.Length != rlimitCount * Rlimits.EntryBytes)
        {
            return null;
        }

        var rlimits = new Rlimits.Entry[rlimitCount];
        for (var i = 0; i < rlimits.Length; i++)
        {
            TakeUInt(ref bytes, out var resource);
            rlimits[i] = new Rlimits.Entry((int)resource, BinaryPrimitives.ReadUInt64LittleEndian(bytes), BinaryPrimitives.ReadUInt64LittleEndian(bytes[8..]));
            bytes = bytes[16..];
        }

        return new LaunchPayload(filter, environment, ports, new Rlimits(rlimits));
    }

    private static bool TakeUInt(ref ReadOnlySpan<byte> bytes, out uint value)
    {
        if (bytes.Length < 4)
        {
            value = 0;
            return false;
        }

        value = BinaryPrimitives.ReadUInt32LittleEndian(bytes);
        bytes = bytes[4..];
        return true;
    }
}
