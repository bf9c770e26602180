using System.Buffers.Binary;
using System.Text;

namespace Aisbx.Sandbox.Launch;

/// <summary>
/// What the launcher inside the sandbox reads from its payload descriptor: the compiled filter, the program's
/// environment, the egress ports and the rlimits. The format is the launcher's
/// (<c>src/Aisbx.Launcher/LaunchPayload.cs</c>): little-endian <c>u32 magic "AXL2"</c>, <c>u32 filter length</c>,
/// the filter, <c>u32 count</c>, then each entry as <c>u32 length</c> and UTF-8 <c>NAME=VALUE</c>, then
/// <c>u32 count</c> of egress ports to listen on inside and each as <c>u32</c>, then <c>u32 count</c> of rlimits and
/// each as <c>u32 resource, u64 soft, u64 hard</c>.
/// </summary>
public static class LaunchPayload
{
    private const uint Magic = 0x324C5841; // "AXL2"
    private const int RlimitBytes = 4 + 8 + 8;

    public static byte[] Encode(
        ReadOnlySpan<byte> filter, IReadOnlyList<KeyValuePair<string, string>> environment, IReadOnlyList<int>? egressPorts = null, IReadOnlyList<Rlimit>? rlimits = null)
    {
        egressPorts ??= [];
        rlimits ??= [];
        var entries = environment.Select(pair => Encoding.UTF8.GetBytes($"{pair.Key}={pair.Value}")).ToList();
        var bytes = new byte[20 + filter.Length + entries.Sum(e => 4 + e.Length) + (4 * egressPorts.Count) + (RlimitBytes * rlimits.Count)];
        var span = bytes.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(span, Magic);
        BinaryPrimitives.WriteUInt32LittleEndian(span[4..], (uint)filter.Length);
        filter.CopyTo(span[8..]);
        span = span[(8 + filter.Length)..];
        BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)entries.Count);
        span = span[4..];
        foreach (var entry in entries)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)entry.Length);
            entry.CopyTo(span[4..]);
            span = span[(4 + entry.Length)..];
        }

        BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)egressPorts.Count);
        for (var i = 0; i < egressPorts.Count; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(span[(4 + (4 * i))..], (uint)egressPorts[i]);
        }

        span = span[(4 + (4 * egressPorts.Count))..];
        BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)rlimits.Count);
        span = span[4..];
        foreach (var rlimit in rlimits)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)rlimit.Resource);
            BinaryPrimitives.WriteUInt64LittleEndian(span[4..], rlimit.Soft);
            BinaryPrimitives.WriteUInt64LittleEndian(span[12..], rlimit.Hard);
            span = span[RlimitBytes..];
        }

        return bytes;
    }
}
