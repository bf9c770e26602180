using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace Aisbx.Sandbox.Launch;

/// <summary>Feeds the caller's stdin to the program through a pipe, never a host descriptor, up to a byte cap.</summary>
internal static class InputPump
{
    private const int BufferSize = 64 * 1024;

    /// <returns>True when the input was cut at <paramref name="capBytes"/>.</returns>
    public static Task<bool> RunAsync(Stream input, SafeFileHandle pipeWrite, long capBytes) =>
        Task.Factory.StartNew(() => Pump(input, pipeWrite, capBytes), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private static bool Pump(Stream input, SafeFileHandle pipeWrite, long capBytes)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            using var target = new FileStream(pipeWrite, FileAccess.Write, bufferSize: 0);
            long total = 0;
            int read;
            while ((read = input.Read(buffer, 0, BufferSize)) > 0)
            {
                var room = (int)Math.Min(read, capBytes - total);
                target.Write(buffer, 0, room);
                total += room;
                if (room < read)
                {
                    return true;
                }
            }

            return false;
        }
        catch (IOException)
        {
            // The program closed its stdin or ended: the rest of the input is not wanted.
            return false;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
