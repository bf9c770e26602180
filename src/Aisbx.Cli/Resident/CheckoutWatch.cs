using System.Runtime.InteropServices;

namespace Aisbx.Cli.Resident;

/// <summary>
/// The resident server's word, for a checkout's <c>aisbx-run</c>, that no source of the checkout is newer than its
/// build: the check of <see cref="CheckoutFreshness"/> made once, then made again only after inotify reported a
/// change in a directory it reads (the listed source directories, the checkout's root and its build directory).
/// A run of the checkout's <c>./aisbx</c> then pays no stats of its own; the few hundred it paid were a fifth of
/// its CPU. The watches are added before the check, so a change during it is seen at the next run. Where inotify
/// cannot be had (no descriptor, no watch left), every question is the whole check.
/// </summary>
internal sealed partial class CheckoutWatch : IDisposable
{
    /// <summary>Checkouts watched at once; a request for one more is checked in full every time.</summary>
    private const int MostCheckouts = 8;

    private const int InNonBlock = 0x800;
    private const int InCloseOnExec = 0x80000;

    // IN_MODIFY, IN_ATTRIB, IN_CLOSE_WRITE, IN_MOVED_FROM, IN_MOVED_TO, IN_CREATE, IN_DELETE, IN_DELETE_SELF, IN_MOVE_SELF.
    private const uint Changes = 0x2 | 0x4 | 0x8 | 0x40 | 0x80 | 0x100 | 0x200 | 0x400 | 0x800;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, Watched> _checkouts = new(StringComparer.Ordinal);

    /// <summary>Whether the checkout's build is older than its sources (or the checkout is not one: not an absolute path, no build).</summary>
    public bool IsStale(string checkout)
    {
        if (!Path.IsPathFullyQualified(checkout))
        {
            return true;
        }

        lock (_lock)
        {
            if (!_checkouts.TryGetValue(checkout, out var watched))
            {
                if (_checkouts.Count >= MostCheckouts)
                {
                    return CheckoutFreshness.IsStale(checkout);
                }

                watched = new Watched(checkout);
                _checkouts[checkout] = watched;
            }

            return watched.IsStale();
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var watched in _checkouts.Values)
            {
                watched.Dispose();
            }

            _checkouts.Clear();
        }
    }

    private sealed class Watched(string checkout) : IDisposable
    {
        private int _inotify = -1;
        private bool _stale;

        /// <summary>The last check's answer while nothing changed since; after a change, the watches and the check anew.</summary>
        public bool IsStale()
        {
            if (_inotify < 0 || Changed())
            {
                Rewatch();
            }

            return _stale;
        }

        /// <summary>
        /// New watches from the listing as it is now (a rebuild lists new directories), then the whole check; a
        /// listing that cannot be read or watched leaves no descriptor, so the next question checks again.
        /// </summary>
        private void Rewatch()
        {
            Dispose();
            _inotify = InotifyInit1(InNonBlock | InCloseOnExec);
            var build = Path.Combine(checkout, ".build", "aisbx");
            if (_inotify >= 0 && !(Watch(checkout) && Watch(build) && WatchListed(Path.Combine(build, "sources.dirs"))))
            {
                Dispose();
            }

            _stale = CheckoutFreshness.IsStale(checkout);
        }

        private bool WatchListed(string listing)
        {
            try
            {
                return File.ReadAllLines(listing).Where(line => line.Length > 0).All(Watch);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return false;
            }
        }

        private bool Watch(string directory) => InotifyAddWatch(_inotify, directory, Changes) >= 0;

        /// <summary>Whether any event is queued (read and dropped: which one does not matter), or the queue overflowed.</summary>
        private unsafe bool Changed()
        {
            var changed = false;
            var buffer = stackalloc byte[4096];
            while (Read(_inotify, buffer, 4096) > 0)
            {
                changed = true;
            }

            return changed;
        }

        public void Dispose()
        {
            if (_inotify >= 0)
            {
                _ = Close(_inotify);
                _inotify = -1;
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "inotify_init1", SetLastError = true)]
    private static partial int InotifyInit1(int flags);

    [LibraryImport("libc", EntryPoint = "inotify_add_watch", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int InotifyAddWatch(int fd, string path, uint mask);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static unsafe partial nint Read(int fd, byte* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
