namespace Aisbx.Sandbox.Output;

/// <summary>Where one of the program's output streams goes. Never holds more than a fixed number of bytes.</summary>
public abstract class OutputSink
{
    private const int TailSize = 512;
    private readonly byte[] _tail = new byte[TailSize];
    private int _tailLength;

    public long TotalBytes { get; private set; }

    /// <summary>The last bytes seen, kept even when streaming, to explain a sandbox that failed to start.</summary>
    public string Tail => System.Text.Encoding.UTF8.GetString(_tail, 0, _tailLength);

    public void Write(ReadOnlySpan<byte> data)
    {
        TotalBytes += data.Length;
        RememberTail(data);
        WriteCore(data);
    }

    protected abstract void WriteCore(ReadOnlySpan<byte> data);

    private void RememberTail(ReadOnlySpan<byte> data)
    {
        if (data.Length >= TailSize)
        {
            data[^TailSize..].CopyTo(_tail);
            _tailLength = TailSize;
            return;
        }

        var keep = Math.Min(_tailLength, TailSize - data.Length);
        Buffer.BlockCopy(_tail, _tailLength - keep, _tail, 0, keep);
        data.CopyTo(_tail.AsSpan(keep));
        _tailLength = keep + data.Length;
    }
}
