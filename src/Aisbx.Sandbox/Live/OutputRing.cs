using System.Text;
using Aisbx.Sandbox.Output;

namespace Aisbx.Sandbox.Live;

/// <summary>
/// The last <paramref name="capacity"/> bytes of a background process's stream, addressed by offsets from the
/// stream's start: a reader names the offset it has reached, gets what is still kept from there, and is told how
/// many bytes were dropped before the oldest one kept. Written by the sandbox's loop, read by callers.
/// </summary>
internal sealed class OutputRing(long capacity) : OutputSink
{
    private readonly byte[] _buffer = new byte[capacity];
    private readonly Lock _lock = new();
    private long _written;

    /// <summary>Up to <paramref name="maxBytes"/> from <paramref name="offset"/> on.</summary>
    public (string Text, long NextOffset, long Dropped) Read(long offset, int maxBytes)
    {
        lock (_lock)
        {
            var oldest = Math.Max(0, _written - _buffer.Length);
            var from = Math.Clamp(offset, oldest, _written);
            var dropped = Math.Max(0, oldest - Math.Max(0, offset));
            var count = (int)Math.Min(maxBytes, _written - from);
            var bytes = new byte[count];
            for (var copied = 0; copied < count;)
            {
                var at = (int)((from + copied) % _buffer.Length);
                var run = Math.Min(count - copied, _buffer.Length - at);
                Array.Copy(_buffer, at, bytes, copied, run);
                copied += run;
            }

            return (Encoding.UTF8.GetString(bytes), from + count, dropped);
        }
    }

    protected override void WriteCore(ReadOnlySpan<byte> data)
    {
        lock (_lock)
        {
            if (data.Length > _buffer.Length)
            {
                _written += data.Length - _buffer.Length;
                data = data[^_buffer.Length..];
            }

            while (!data.IsEmpty)
            {
                var at = (int)(_written % _buffer.Length);
                var run = Math.Min(data.Length, _buffer.Length - at);
                data[..run].CopyTo(_buffer.AsSpan(at));
                data = data[run..];
                _written += run;
            }
        }
    }
}
