using System.Runtime.InteropServices;

namespace Aisbx.Cli;

/// <summary>
/// The checkout's <c>./aisbx</c> (POSIX sh) execs this binary at once, with <see cref="Variable"/> naming the
/// checkout, and the check its bash used to make is made here, where a stat costs microseconds: exactly
/// <c>aisbx_is_stale</c> of <c>scripts/setup.sh</c> (the binaries, then every listed source file against the
/// binary, every listed directory against the listing). When stale, the run is handed to
/// <c>scripts/checkout-run.sh</c>, which installs, rebuilds and runs the new binary with the same arguments.
/// </summary>
internal static partial class CheckoutFreshness
{
    public const string Variable = "AISBX_CHECKOUT";

    private const int X_OK = 1;

    /// <summary>struct statx is 256 bytes on every architecture; stx_mtime (seconds, then nanoseconds) is at 0x70.</summary>
    private const int StatxSize = 256;

    private const int StatxMtimeOffset = 0x70;

    private static Thread? _check;
    private static string? _checkout;
    private static string[] _args = [];
    private static volatile bool _stale;

    /// <summary>
    /// The checkout whose <c>./aisbx</c> started this process, or null. <c>aisbx-run</c> leaves the variable set and
    /// makes no check: the resident server checks for it, and aisbx, when handed the run, checks by itself.
    /// </summary>
    public static string? Wrapper => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } checkout ? checkout : null;

    /// <summary>
    /// When started by a checkout's <c>./aisbx</c>, starts the check on a thread of its own: its few hundred stats
    /// overlap the start of the command, which waits for it (<see cref="HandOffIfStale"/>) before it does anything.
    /// </summary>
    public static void Start(string[] args)
    {
        if (Environment.GetEnvironmentVariable(Variable) is not { Length: > 0 } checkout)
        {
            return;
        }

        // Nothing aisbx starts should think it came from the wrapper (checkout-run.sh unsets the native copy).
        Environment.SetEnvironmentVariable(Variable, null);
        (_checkout, _args) = (checkout, args);
        _check = new Thread(() => _stale = IsStale(checkout)) { IsBackground = true, Name = "aisbx freshness" };
        _check.Start();
    }

    /// <summary>
    /// Returns only when this binary is fresh, or was not started by a checkout's <c>./aisbx</c>; otherwise the
    /// command goes to the rebuild. Call before the command does anything that the user could see.
    /// </summary>
    public static void HandOffIfStale()
    {
        if (Interlocked.Exchange(ref _check, null) is not { } check)
        {
            return;
        }

        check.Join();
        if (!_stale)
        {
            return;
        }

        var script = Path.Combine(_checkout!, "scripts", "checkout-run.sh");
        _ = Execvp("bash", ["bash", script, .. _args, null]);
        Console.Error.WriteLine($"aisbx: the build is older than the sources, and bash could not be started to rebuild it ({Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}): run 'bash {script}'");
        Environment.Exit(Core.Runs.ExitCodes.OwnError);
    }

    public static bool IsStale(string checkout)
    {
        var build = Path.Combine(checkout, ".build", "aisbx");
        var binary = Path.Combine(build, "aisbx");
        var files = Path.Combine(build, "sources.files");
        var directories = Path.Combine(build, "sources.dirs");
        if (Access(binary, X_OK) != 0 || Access(Path.Combine(build, "aisbx-launch"), X_OK) != 0 || Access(Path.Combine(build, "aisbx-mcp"), X_OK) != 0
            || !File.Exists(files) || !File.Exists(directories))
        {
            return true;
        }

        // bash's -nt: newer, or existing beside a missing reference; a listed file that is gone is not newer (its
        // directory's time tells).
        return !ModifiedAt(binary, out var built) || !ModifiedAt(directories, out var listed)
            || AnyNewerThan(files, built) || AnyNewerThan(directories, listed);
    }

    /// <summary>
    /// Every path of a listing (one per line) against a time, stat by stat on the listing's own bytes: this runs
    /// before every command of the checkout's ./aisbx, over some 500 paths, so no string is made per path.
    /// </summary>
    private static unsafe bool AnyNewerThan(string listing, ModificationTime reference)
    {
        var bytes = File.ReadAllBytes(listing);
        Span<byte> path = stackalloc byte[4096];
        foreach (var range in ((ReadOnlySpan<byte>)bytes).Split((byte)'\n'))
        {
            var line = bytes.AsSpan(range);
            if (line.IsEmpty || line.Length >= path.Length)
            {
                continue;
            }

            line.CopyTo(path);
            path[line.Length] = 0;
            fixed (byte* name = path)
            {
                if (ModifiedAt(name, out var modified) && modified.IsAfter(reference))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static unsafe bool ModifiedAt(string path, out ModificationTime time)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(path + "\0");
        fixed (byte* name = bytes)
        {
            return ModifiedAt(name, out time);
        }
    }

    private static unsafe bool ModifiedAt(byte* path, out ModificationTime time)
    {
        const int AT_FDCWD = -100;
        const uint STATX_MTIME = 0x40;
        var buffer = stackalloc byte[StatxSize];
        if (Statx(AT_FDCWD, path, 0, STATX_MTIME, buffer) != 0)
        {
            time = default;
            return false;
        }

        time = new ModificationTime(*(long*)(buffer + StatxMtimeOffset), *(uint*)(buffer + StatxMtimeOffset + 8));
        return true;
    }

    private readonly record struct ModificationTime(long Seconds, uint Nanoseconds)
    {
        public bool IsAfter(ModificationTime other) => Seconds > other.Seconds || (Seconds == other.Seconds && Nanoseconds > other.Nanoseconds);
    }

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static unsafe partial int Statx(int dirFd, byte* path, int flags, uint mask, byte* buffer);

    [LibraryImport("libc", EntryPoint = "execvp", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Execvp(string file, string?[] argv);

    [LibraryImport("libc", EntryPoint = "access", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Access(string path, int mode);
}
