namespace Aisbx.Launcher;

/// <summary>
/// The head of a file operation's request file: <c>u32 magic "AXF1"</c>, the path, <c>u32 mode</c>,
/// <c>u32 flags</c> (1: create missing parent directories), <c>u64 limit</c> (bytes to read, entries to list);
/// for a write, the content follows the head.
/// </summary>
internal sealed record FileRequest(string Path, uint Mode, bool CreateParents, ulong Limit, int ContentOffset)
{
    public const uint Magic = 0x31465841; // "AXF1"
    private const int MaxHead = 8192;

    public static unsafe FileRequest? Read(int fd)
    {
        var head = new byte[MaxHead];
        nint read;
        fixed (byte* pointer = head)
        {
            read = Native.PRead(fd, pointer, MaxHead, 0);
        }

        if (read <= 0)
        {
            return null;
        }

        var reader = new RequestReader(head.AsSpan(0, (int)read));
        return reader.UInt(out var magic) && magic == Magic && reader.String(out var path) && reader.UInt(out var mode)
               && reader.UInt(out var flags) && reader.ULong(out var limit)
            ? new FileRequest(path, mode & 0x1FF, (flags & 1) != 0, limit, reader.Consumed((int)read))
            : null;
    }
}
