using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace Aisbx.Sandbox.Output;

/// <summary>Copies a pipe into a sink through one fixed buffer, so output of any size costs the same memory.</summary>
internal static class OutputPump
{
    private const int BufferSize = 64 * 1024;

    /// <summary>Runs until end of file, which comes when every process of the sandbox has gone.</summary>
    public static Task RunAsync(SafeFileHandle source, OutputSink sink) =>
        Task.Factory.StartNew(() => Pump(source, sink), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private static void Pump(SafeFileHandle source, OutputSink sink)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            using var stream = new FileStream(source, FileAccess.Read, bufferSize: 0);
            int read;
            while ((read = stream.Read(buffer, 0, BufferSize)) > 0)
            {
                sink.Write(buffer.AsSpan(0, read));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
