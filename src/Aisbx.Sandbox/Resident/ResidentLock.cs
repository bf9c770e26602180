using static Aisbx.Sandbox.Interop.Interop;

namespace Aisbx.Sandbox.Resident;

/// <summary>The lock a resident server holds for as long as it lives: one server per config directory.</summary>
public sealed class ResidentLock : IDisposable
{
    private int _fd;

    private ResidentLock(int fd) => _fd = fd;

    /// <summary>Takes the lock at <paramref name="path"/> without waiting; null when a server holds it.</summary>
    public static ResidentLock? TryTake(string path)
    {
        var fd = Open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0x180);
        if (fd < 0)
        {
            return null;
        }

        if (Flock(fd, LOCK_EX | LOCK_NB) != 0)
        {
            _ = Close(fd);
            return null;
        }

        return new ResidentLock(fd);
    }

    /// <summary>Whether a server holds the lock now (or is starting and does).</summary>
    public static bool IsHeld(string path)
    {
        using var taken = TryTake(path);
        return taken is null && File.Exists(path);
    }

    public void Dispose()
    {
        var fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0)
        {
            _ = Close(fd);
        }
    }
}
