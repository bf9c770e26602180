using System.Buffers.Binary;
using System.Text;

namespace Aisbx.Launcher;

/// <summary>Reads the little-endian fields of a request file: <c>u32</c> numbers and <c>u32 length</c> + UTF-8 strings.</summary>
internal ref struct RequestReader(ReadOnlySpan<byte> bytes)
{
    private ReadOnlySpan<byte> _rest = bytes;

    public readonly int Consumed(int total) => total - _rest.Length;

    public readonly bool AtEnd => _rest.IsEmpty;

    public bool UInt(out uint value)
    {
        value = 0;
        if (_rest.Length < 4)
        {
            return false;
        }

        value = BinaryPrimitives.ReadUInt32LittleEndian(_rest);
        _rest = _rest[4..];
        return true;
    }

    public bool ULong(out ulong value)
    {
        value = 0;
        if (_rest.Length < 8)
        {
            return false;
        }

        value = BinaryPrimitives.ReadUInt64LittleEndian(_rest);
        _rest = _rest[8..];
        return true;
    }

    public bool String(out string value)
    {
        value = "";
        if (!UInt(out var length) || length > (uint)_rest.Length)
        {
            return false;
        }

        value = Encoding.UTF8.GetString(_rest[..(int)length]);
        _rest = _rest[(int)length..];
        return !value.Contains('\0', StringComparison.Ordinal);
    }

    public bool Strings(out string[] values)
    {
        values = [];
        if (!UInt(out var count) || count > (uint)_rest.Length / 4)
        {
            return false;
        }

        values = new string[count];
        for (var i = 0; i < values.Length; i++)
        {
            if (!String(out values[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Up to <paramref name="cap"/> bytes of a file from offset 0; null when it cannot be read or is longer.</summary>
    public static unsafe byte[]? ReadFile(int fd, int cap)
    {
        var buffer = new byte[Math.Min(cap, 64 * 1024)];
        var total = 0;
        while (true)
        {
            if (total == buffer.Length)
            {
                if (buffer.Length >= cap)
                {
                    return null;
                }

                Array.Resize(ref buffer, Math.Min(cap, buffer.Length * 2));
            }

            nint read;
            fixed (byte* pointer = buffer)
            {
                read = Native.PRead(fd, pointer + total, (nuint)(buffer.Length - total), total);
            }

            if (read < 0 && Native.LastError == Native.EINTR)
            {
                continue;
            }

            if (read < 0)
            {
                return null;
            }

            if (read == 0)
            {
                return buffer[..total];
            }

            total += (int)read;
        }
    }
}
