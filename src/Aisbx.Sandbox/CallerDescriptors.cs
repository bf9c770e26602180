using static Aisbx.Sandbox.Interop.Interop;

namespace Aisbx.Sandbox;

/// <summary>
/// Tells the caller's standard descriptors (0, 1, 2) from descriptors aisbx's own process opened on those numbers.
/// A descriptor inherited through exec never has FD_CLOEXEC (exec would have closed it), so one that is closed, or
/// open with FD_CLOEXEC, is not the caller's: when a caller closes stdin, the .NET runtime opens /dev/urandom at the
/// lowest free number, 0. Such a descriptor never reaches a sandbox: stdin then reads as end of file, and output
/// counts as closed.
/// </summary>
public static class CallerDescriptors
{
    private const int StandardCount = 3;

    /// <summary>
    /// Call first thing at start-up: fills each closed slot of 0, 1 and 2 with /dev/null (close-on-exec, so it still
    /// reads as "not the caller's"), so that no file aisbx opens later can land there and be written as output.
    /// </summary>
    public static void Secure()
    {
        for (var fd = 0; fd < StandardCount; fd++)
        {
            if (Fcntl(fd, F_GETFD, 0) >= 0)
            {
                continue;
            }

            var placeholder = Open("/dev/null", O_RDWR | O_CLOEXEC, 0);
            if (placeholder >= 0 && placeholder != fd)
            {
                _ = Dup3(placeholder, fd, O_CLOEXEC);
                _ = Close(placeholder);
            }
        }
    }

    /// <summary>Whether <paramref name="fd"/> is open and was handed to aisbx by its caller.</summary>
    public static bool IsCallers(int fd) => Fcntl(fd, F_GETFD, 0) is var flags and >= 0 && (flags & FD_CLOEXEC) == 0;

    /// <summary>The caller's stdin as a stream, or null (end of file for the program) when the caller gave none.</summary>
    public static DescriptorStream? Stdin() => IsCallers(0) ? new DescriptorStream(0) : null;

    /// <summary>The caller's stdout or stderr, or a stream that fails every write (a closed output) when it gave none.</summary>
    public static Stream Output(int fd) => IsCallers(fd) ? new DescriptorStream(fd) : ClosedOutput.Instance;

    /// <summary>A stream that fails every write, for an output that the caller closed.</summary>
    public static Stream Closed => ClosedOutput.Instance;

    private sealed class ClosedOutput : Stream
    {
        public static ClosedOutput Instance { get; } = new();

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new IOException("the output was closed before aisbx started");

        public override void Write(ReadOnlySpan<byte> buffer) => throw new IOException("the output was closed before aisbx started");
    }
}
