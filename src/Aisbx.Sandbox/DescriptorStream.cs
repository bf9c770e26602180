using System.Runtime.InteropServices;
using static Aisbx.Sandbox.Interop.Interop;

namespace Aisbx.Sandbox;

/// <summary>
/// One of the caller's own descriptors (0, 1, 2) as a stream, read and written with read(2)/write(2) at the
/// descriptor's own offset. FileStream would write at a position of its own (overwriting a redirected file) and the
/// console streams swallow EPIPE; this does neither. The descriptor is not closed.
/// </summary>
public sealed class DescriptorStream(int fd) : Stream
{
    public int Descriptor { get; } = fd;

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override unsafe int Read(byte[] buffer, int offset, int count)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(offset + count, buffer.Length);
        while (true)
        {
            nint read;
            fixed (byte* pointer = buffer)
            {
                read = Interop.Interop.Read(Descriptor, pointer + offset, count);
            }

            if (read >= 0)
            {
                return (int)read;
            }

            var error = Marshal.GetLastPInvokeError();
            if (error != EINTR)
            {
                throw new IOException($"read from descriptor {Descriptor} failed (errno {error})");
            }
        }
    }

    public override unsafe void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override unsafe void Write(ReadOnlySpan<byte> buffer)
    {
        fixed (byte* pointer = buffer)
        {
            var done = 0;
            while (done < buffer.Length)
            {
                var written = Interop.Interop.Write(Descriptor, pointer + done, buffer.Length - done);
                if (written < 0)
                {
                    var error = Marshal.GetLastPInvokeError();
                    if (error == EINTR)
                    {
                        continue;
                    }

                    throw new IOException($"write to descriptor {Descriptor} failed (errno {error})");
                }

                done += (int)written;
            }
        }
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
