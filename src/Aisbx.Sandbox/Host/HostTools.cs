using Aisbx.Core;

namespace Aisbx.Sandbox.Host;

/// <summary>
/// The host programs the engine runs: bubblewrap, util-linux's setpriv to leave root behind, and aisbx's own
/// launcher, which bubblewrap starts inside the sandbox (and which sets the rlimits).
/// </summary>
public static class HostTools
{
    private static readonly string[] SystemDirs = ["/usr/bin", "/bin", "/usr/sbin", "/sbin", "/usr/local/bin"];

    private static readonly Lazy<string?> BwrapPath = new(() => Find("bwrap"));
    private static readonly Lazy<string?> SetprivPath = new(() => Find("setpriv"));

    public const string LauncherName = "aisbx-launch";

    private static readonly Lazy<string?> LauncherPath = new(FindLauncher);

    /// <summary>The launcher, built and shipped beside aisbx; <c>AISBX_LAUNCHER</c> names another (for tests run from the build tree).</summary>
    public static string Launcher => LauncherPath.Value
        ?? throw new SandboxUnavailableException($"{LauncherName}, which starts every sandboxed program, is not beside aisbx: build it with scripts/setup.sh (or set AISBX_LAUNCHER to its path)");

    public static bool HasLauncher => LauncherPath.Value is not null;

    public static string Bwrap => BwrapPath.Value
        ?? throw new SandboxUnavailableException("bubblewrap (bwrap) is not installed: install it with 'apt-get install bubblewrap', then run 'aisbx doctor'");

    public static string Setpriv => SetprivPath.Value
        ?? throw new SandboxUnavailableException("setpriv is not installed, and aisbx needs it to run sandboxes as an unprivileged uid when it is root: install it with 'apt-get install util-linux'");

    public static bool HasBwrap => BwrapPath.Value is not null;

    public static bool HasSetpriv => SetprivPath.Value is not null;

    private static string? FindLauncher()
    {
        if (Environment.GetEnvironmentVariable("AISBX_LAUNCHER") is { Length: > 0 } configured)
        {
            return Path.IsPathFullyQualified(configured) && File.Exists(configured) ? configured : null;
        }

        return new[] { Path.GetDirectoryName(Environment.ProcessPath), AppContext.BaseDirectory }
            .Where(dir => !string.IsNullOrEmpty(dir))
            .Select(dir => Path.Combine(dir!, LauncherName))
            .FirstOrDefault(File.Exists);
    }

    /// <summary>Looks in the system directories only: a PATH entry of the caller's must not choose what runs as root.</summary>
    private static string? Find(string name) =>
        SystemDirs.Select(dir => Path.Combine(dir, name)).FirstOrDefault(File.Exists);
}

/// <summary>The host cannot run sandboxes at all; the message says what to install or change.</summary>
public sealed class SandboxUnavailableException(string message) : AisbxException(message);
