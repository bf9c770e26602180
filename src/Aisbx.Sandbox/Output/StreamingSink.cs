namespace Aisbx.Sandbox.Output;

/// <summary>Passes output through as it comes. If the reader goes away, the rest is discarded and the sandbox is told to stop.</summary>
public sealed class StreamingSink(Stream target, Action? onReaderGone = null) : OutputSink
{
    private bool _readerGone;

    protected override void WriteCore(ReadOnlySpan<byte> data)
    {
        if (_readerGone)
        {
            return;
        }

        try
        {
            target.Write(data);
            target.Flush();
        }
        catch (IOException)
        {
            _readerGone = true;
            onReaderGone?.Invoke();
        }
    }
}
