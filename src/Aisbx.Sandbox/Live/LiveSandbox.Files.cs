using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Text;
using Aisbx.Core.Sandboxes;
using Aisbx.Core.Units;
using Aisbx.Sandbox.Launch;
using Microsoft.Win32.SafeHandles;

using Aisbx.Launcher;

namespace Aisbx.Sandbox.Live;

/// <summary>
/// Files in and out, done by the agent inside the sandbox (why: <c>docs/notes.md</c>, "files through the agent"):
/// what comes back is read from aisbx's own reply file, within the size aisbx asked for, and parsed as hostile.
/// </summary>
public sealed partial class LiveSandbox
{
    private const int MaxListing = 10_000;
    private const int ListingRecordHead = 19;

    /// <summary>Writes a regular file (creating its parent directories), with <paramref name="mode"/>'s permission bits.</summary>
    public async Task WriteFileAsync(string path, ReadOnlyMemory<byte> content, uint mode, CancellationToken cancellationToken)
    {
        var target = FilePath(path);
        var done = await FileOperationAsync(AgentMessage.FileWrite, target, mode & 0x1FF, 0, content, reply: false, cancellationToken).ConfigureAwait(false);
        ThrowOnError(done.Error, path, "write");
        if (done.Count != (ulong)content.Length)
        {
            throw new SandboxFileException("workspace-full", $"only {done.Count} of {content.Length} bytes of '{path}' were written: the sandbox's files are full");
        }
    }

    /// <summary>Reads a regular file of at most <paramref name="maxBytes"/>.</summary>
    public async Task<byte[]> ReadFileAsync(string path, long maxBytes, CancellationToken cancellationToken)
    {
        var done = await FileOperationAsync(AgentMessage.FileRead, FilePath(path, allowRoot: true), 0, (ulong)maxBytes, default, reply: true, cancellationToken).ConfigureAwait(false);
        using var reply = done.Reply!;
        if (done.Error == 27) // EFBIG
        {
            throw new SandboxFileException("file-too-large", $"'{path}' is larger than {ByteSize.Format(maxBytes)}: read it in parts with an exec (head -c, tail -c), or raise [sandboxes] max_read");
        }

        ThrowOnError(done.Error, path, "read");
        return ReadReply(reply, done.Count, (ulong)maxBytes);
    }

    /// <summary>The entries of a directory, sorted by name.</summary>
    public async Task<FileListing> ListAsync(string path, CancellationToken cancellationToken)
    {
        var target = FilePath(path, allowRoot: true);
        var done = await FileOperationAsync(AgentMessage.FileList, target, 0, MaxListing, default, reply: true, cancellationToken).ConfigureAwait(false);
        using var reply = done.Reply!;
        ThrowOnError(done.Error, path, "list");
        if (done.Count > MaxListing)
        {
            Close(SandboxEnd.AgentFailed);
            throw new SandboxEndedException(Id, SandboxEnd.AgentFailed);
        }

        var bytes = ReadReply(reply, ulong.MaxValue, MaxListing * (ListingRecordHead + 255UL));
        var entries = ParseListing(bytes, (int)done.Count) ?? throw Faulted();
        return new FileListing(target, [.. entries.OrderBy(e => e.Name, StringComparer.Ordinal)], (done.Flags & AgentMessage.ListingTruncated) != 0);
    }

    /// <summary>Removes a file or a link (never what it points to), or a directory and everything in it.</summary>
    public async Task RemoveAsync(string path, CancellationToken cancellationToken)
    {
        var done = await FileOperationAsync(AgentMessage.FileRemove, FilePath(path), 0, 0, default, reply: false, cancellationToken).ConfigureAwait(false);
        ThrowOnError(done.Error, path, "remove");
    }

    /// <summary>The bytes /workspace holds now.</summary>
    public async Task<long> WorkspaceBytesAsync(CancellationToken cancellationToken)
    {
        var done = await FileOperationAsync(AgentMessage.FileUsage, "", 0, 0, default, reply: false, cancellationToken).ConfigureAwait(false);
        return (long)Math.Min(done.Count, (ulong)WorkspaceLimitBytes * 2);
    }

    private static string FilePath(string path, bool allowRoot = false)
    {
        var target = LivePaths.Normalize(path);
        return allowRoot || target is not (LivePaths.Workspace or LivePaths.Tmp)
            ? target
            : throw new SandboxFileException("path-is-directory", $"'{path}' is the sandbox's {target} itself: name a file in it");
    }

    private async Task<FileDone> FileOperationAsync(int operation, string path, uint mode, ulong limit, ReadOnlyMemory<byte> content, bool reply, CancellationToken cancellationToken)
    {
        Touch();
        var done = new TaskCompletionSource<FileDone>(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(() =>
        {
            try
            {
                var id = NextId();
                using var request = operation == AgentMessage.FileUsage ? null : AgentRequests.File(path, mode, createParents: true, limit, content.Span);
                var replyFile = reply ? MemoryFile.Create("aisbx-reply", []) : null;
                var frame = new AgentMessage(AgentMessage.File, id, operation, 0, 0, 0);
                var sent = request is null ? _channel!.Send(frame, [])
                    : replyFile is null ? _channel!.Send(frame, [Fd(request)])
                    : _channel!.Send(frame, [Fd(request), Fd(replyFile)]);
                if (!sent)
                {
                    replyFile?.Dispose();
                    throw new SandboxEndedException(Id, _endReason ?? SandboxEnd.AgentFailed);
                }

                _fileOps[id] = (done, replyFile);
            }
            catch (Exception ex)
            {
                done.TrySetException(ex);
            }
        }, ex => done.TrySetException(ex));
        var result = await AnswerOf(done.Task, cancellationToken).ConfigureAwait(false);
        Touch();
        return result;
    }

    /// <summary>Exactly the <paramref name="count"/> bytes the agent said it wrote, never more than asked for.</summary>
    private byte[] ReadReply(SafeFileHandle reply, ulong count, ulong cap)
    {
        var length = RandomAccess.GetLength(reply);
        if ((count != ulong.MaxValue && (ulong)length != count) || (ulong)length > cap)
        {
            throw Faulted();
        }

        var bytes = new byte[length];
        var read = 0;
        while (read < bytes.Length)
        {
            var n = RandomAccess.Read(reply, bytes.AsSpan(read), read);
            if (n <= 0)
            {
                throw Faulted();
            }

            read += n;
        }

        return bytes;
    }

    private static List<FileEntry>? ParseListing(ReadOnlySpan<byte> bytes, int count)
    {
        var entries = new List<FileEntry>(count);
        for (var i = 0; i < count; i++)
        {
            if (bytes.Length < ListingRecordHead)
            {
                return null;
            }

            var type = bytes[0] switch { (byte)'f' => "file", (byte)'d' => "directory", (byte)'l' => "symlink", (byte)'o' => "other", _ => null };
            var size = BinaryPrimitives.ReadUInt64LittleEndian(bytes[1..]);
            var mtime = BinaryPrimitives.ReadInt64LittleEndian(bytes[9..]);
            var length = BinaryPrimitives.ReadUInt16LittleEndian(bytes[17..]);
            if (type is null || length is 0 or > 255 || bytes.Length < ListingRecordHead + length || size > long.MaxValue)
            {
                return null;
            }

            var name = bytes.Slice(ListingRecordHead, length);
            if (name.Contains((byte)'/') || name.Contains((byte)0))
            {
                return null;
            }

            entries.Add(new FileEntry(Encoding.UTF8.GetString(name), type, (long)size, MtimeOf(mtime)));
            bytes = bytes[(ListingRecordHead + length)..];
        }

        return bytes.IsEmpty ? entries : null;
    }

    /// <summary>A program may date a file at any time the kernel keeps (touch -d @300000000000): shown at the calendar's edge, not taken for a broken agent.</summary>
    private static DateTimeOffset MtimeOf(long milliseconds) => DateTimeOffset.FromUnixTimeMilliseconds(
        Math.Clamp(milliseconds, DateTimeOffset.MinValue.ToUnixTimeMilliseconds(), DateTimeOffset.MaxValue.ToUnixTimeMilliseconds()));

    private SandboxEndedException Faulted()
    {
        Close(SandboxEnd.AgentFailed);
        return new SandboxEndedException(Id, SandboxEnd.AgentFailed);
    }

    private void ThrowOnError(int error, string path, string operation)
    {
        if (error == 0)
        {
            return;
        }

        throw error switch
        {
            2 => new SandboxFileException("file-not-found", $"'{path}' does not exist in the sandbox"),
            40 => new SandboxFileException("path-symlink", $"'{path}' passes through a symlink, which aisbx never follows for a file operation: give the path it points to"),
            20 => new SandboxFileException("path-not-directory", $"a part of '{path}' is not a directory"),
            21 => new SandboxFileException("path-is-directory", $"'{path}' is a directory: {(operation == "write" ? "give a file's path" : "list it instead")}"),
            22 => new SandboxFileException("not-regular-file", $"'{path}' is not a regular file (a FIFO, socket or device): aisbx reads and writes only regular files"),
            27 => new SandboxFileException("file-size", $"'{path}' would be larger than the profile's file size limit"),
            28 or 122 => new SandboxFileException("workspace-full", $"the sandbox has no room left for '{path}' (/workspace holds at most {ByteSize.Format(WorkspaceLimitBytes)}): remove files first"),
            1 or 13 => new SandboxFileException("permission-denied", $"the sandbox's user may not {operation} '{path}'"),
            17 => new SandboxFileException("file-exists", $"'{path}' is in the way of a directory that the {operation} needs"),
            _ => new SandboxFileException("file-error", $"{operation} of '{path}' failed in the sandbox (errno {error})"),
        };
    }
}
