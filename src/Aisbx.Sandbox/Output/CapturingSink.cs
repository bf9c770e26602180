using System.Buffers;
using System.Text;

namespace Aisbx.Sandbox.Output;

/// <summary>Keeps the first <paramref name="capBytes"/> bytes and counts the rest.</summary>
public sealed class CapturingSink(long capBytes) : OutputSink
{
    private readonly ArrayBufferWriter<byte> _kept = new();

    public bool Truncated => TotalBytes > capBytes;

    public string Text => Encoding.UTF8.GetString(_kept.WrittenSpan);

    protected override void WriteCore(ReadOnlySpan<byte> data)
    {
        var room = capBytes - _kept.WrittenCount;
        if (room > 0)
        {
            _kept.Write(data[..(int)Math.Min(room, data.Length)]);
        }
    }
}
