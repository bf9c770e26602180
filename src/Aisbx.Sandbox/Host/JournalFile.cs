using System.ComponentModel;
using System.Runtime.InteropServices;
using System.Text.Json;
using Aisbx.Core.Configuration;
using Microsoft.Win32.SafeHandles;
using static Aisbx.Sandbox.Interop.Interop;

namespace Aisbx.Sandbox.Host;

/// <summary>
/// A journal file and the flock on it. The lock is what says a run is alive: runs hold it (shared or exclusive)
/// for as long as they use the workdir, and the kernel drops it when a process dies however it dies, so a pid that
/// was reused cannot pass for a live aisbx. A file found unlinked after waiting for its lock was finished by
/// another run, and is opened again.
/// </summary>
internal sealed class JournalFile : IDisposable
{
    private readonly SafeFileHandle _handle;

    private JournalFile(string path, SafeFileHandle handle)
    {
        Path = path;
        _handle = handle;
    }

    public string Path { get; }

    public static string Directory(AisbxConfig config) => System.IO.Path.Combine(config.StateDirectory, "workdirs");

    /// <summary>Opens (or creates) the journal at <paramref name="path"/>; null when it does not exist and <paramref name="create"/> is false.</summary>
    public static JournalFile? Open(string path, bool create)
    {
        if (create)
        {
            System.IO.Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var fd = Interop.Interop.Open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW | (create ? O_CREAT : 0), 0x180);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            return !create && errno == 2 ? null : throw new IOException($"cannot open {path}: {new Win32Exception(errno).Message}");
        }

        return new JournalFile(path, new SafeFileHandle(fd, ownsHandle: true));
    }

    /// <summary>Takes the lock without waiting; false when another holder conflicts.</summary>
    public bool TryLock(int operation) => Lock(operation | LOCK_NB);

    /// <summary>Waits for the lock.</summary>
    public void WaitLock(int operation) => _ = Lock(operation);

    /// <summary>Whether the path still names this file (it is unlinked once its workdir was given back).</summary>
    public bool IsCurrent() =>
        FileStatus.OfDescriptor(Fd) is { } mine && FileStatus.OfPath(Path) is { } named && mine.Inode == named.Inode && mine.Nlink > 0;

    public WorkdirJournal? Read()
    {
        var length = RandomAccess.GetLength(_handle);
        if (length == 0)
        {
            return null;
        }

        var bytes = new byte[length];
        var read = RandomAccess.Read(_handle, bytes, 0);
        try
        {
            return JsonSerializer.Deserialize(bytes.AsSpan(0, read), WorkdirJournalContext.Default.WorkdirJournal);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Replaces the content and waits until it is on disk: it must outlive a crash of the whole machine.</summary>
    public void Write(WorkdirJournal journal)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(journal, WorkdirJournalContext.Default.WorkdirJournal);
        RandomAccess.SetLength(_handle, 0);
        RandomAccess.Write(_handle, bytes, 0);
        if (Fsync(Fd) != 0)
        {
            throw new IOException($"cannot write {Path}: {new Win32Exception(Marshal.GetLastPInvokeError()).Message}");
        }
    }

    /// <summary>Removes the journal, while still holding its lock, so that a waiter sees it is finished.</summary>
    public void Delete()
    {
        if (IsCurrent())
        {
            File.Delete(Path);
        }
    }

    public void Dispose() => _handle.Dispose();

    private int Fd => (int)_handle.DangerousGetHandle();

    private bool Lock(int operation)
    {
        while (Flock(Fd, operation) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno == EWOULDBLOCK && (operation & LOCK_NB) != 0)
            {
                return false;
            }

            if (errno != EINTR)
            {
                throw new IOException($"cannot lock {Path}: {new Win32Exception(errno).Message}");
            }
        }

        return true;
    }
}
