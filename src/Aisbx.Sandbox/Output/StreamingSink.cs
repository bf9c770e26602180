namespace Aisbx.Sandbox.Output;

/// <summary>Passes output through as it comes. If the reader goes away, the rest is discarded and the sandbox is ended.</summary>
public sealed class StreamingSink(Stream target) : OutputSink
{
    /// <summary>The reader closed its end (as <c>aisbx run … | head</c> does): like SIGPIPE, this ends the sandbox.</summary>
    public bool ReaderGone { get; private set; }

    protected override void WriteCore(ReadOnlySpan<byte> data)
    {
        if (ReaderGone)
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
            ReaderGone = true;
        }
    }
}
