using System.Buffers.Binary;
using System.Text;

namespace Aisbx.Sandbox.Launch;

/// <summary>
/// What the launcher inside the sandbox reads from its payload descriptor: the compiled filter and the program's
/// environment. The format is the launcher's (<c>src/Aisbx.Launcher/LaunchPayload.cs</c>): little-endian
/// <c>u32 magic "AXL1"</c>, <c>u32 filter length</c>, the filter, <c>u32 count</c>, then each entry as
/// <c>u32 length</c> and UTF-8 <c>NAME=VALUE</c>, then <c>u32 count</c> of egress ports to listen on inside and
/// each as <c>u32</c>.
/// </summary>
public static class LaunchPayload
{
    private const uint Magic = 0x314C5841; // "AXL1"

    public static byte[] Encode(ReadOnlySpan<byte> filter, IReadOnlyList<KeyValuePair<string, string>> environment, IReadOnlyList<int>? egressPorts = null)
    {
        egressPorts ??= [];
        var entries = environment.Select(pair => Encoding.UTF8.GetBytes($"{pair.Key}={pair.Value}")).ToList();
        var bytes = new byte[16 + filter.Length + entries.Sum(e => 4 + e.Length) + (4 * egressPorts.Count)];
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

        return bytes;
    }
}
