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

    /// <summary>Returns only when this binary is fresh, or was not started by a checkout's <c>./aisbx</c>.</summary>
    public static void HandOffIfStale(string[] args)
    {
        if (Environment.GetEnvironmentVariable(Variable) is not { Length: > 0 } checkout)
        {
            return;
        }

        // Nothing aisbx starts should think it came from the wrapper (checkout-run.sh unsets the native copy).
        Environment.SetEnvironmentVariable(Variable, null);
        if (!IsStale(checkout))
        {
            return;
        }

        var script = Path.Combine(checkout, "scripts", "checkout-run.sh");
        _ = Execvp("bash", ["bash", script, .. args, null]);
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
        // directory's time tells). Times are compared to 100 ns, bash's to the nanosecond.
        return AnyNewerThan(files, File.GetLastWriteTimeUtc(binary)) || AnyNewerThan(directories, File.GetLastWriteTimeUtc(directories));
    }

    private static bool AnyNewerThan(string listing, DateTime reference)
    {
        foreach (var path in File.ReadLines(listing))
        {
            if (path.Length > 0 && File.GetLastWriteTimeUtc(path) > reference)
            {
                return true;
            }
        }

        return false;
    }

    [LibraryImport("libc", EntryPoint = "execvp", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Execvp(string file, string?[] argv);

    [LibraryImport("libc", EntryPoint = "access", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Access(string path, int mode);
}
