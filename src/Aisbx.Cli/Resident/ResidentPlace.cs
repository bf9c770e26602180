using System.Text;
using Aisbx.Sandbox.Resident;

namespace Aisbx.Cli.Resident;

/// <summary>Where a config directory's resident server listens, and what it must match to serve a caller.</summary>
internal sealed class ResidentPlace(string configDirectory)
{
    /// <summary>The variables whose values aisbx reads for a run (the config, the trees, the temporary base, the user).</summary>
    private static readonly string[] EnvironmentNames = ["HOME", "TMPDIR", "USER", "LOGNAME"];

    public string ConfigDirectory => configDirectory;

    /// <summary><c>&lt;config&gt;/run</c>: mode 0700, so only its user reaches the socket.</summary>
    public string Directory { get; } = Path.Combine(configDirectory, "run");

    public string Socket => Path.Combine(Directory, "resident.sock");

    public string LockFile => Path.Combine(Directory, "resident.lock");

    /// <summary>Whether the config directory's server socket is there (a hint only: the run still checks everything).</summary>
    public static bool Listening(string? configOption)
    {
        try
        {
            return File.Exists(new ResidentPlace(Core.Configuration.AisbxConfigLoader.DirectoryFor(configOption)).Socket);
        }
        catch (Exception ex) when (ex is ArgumentException or IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>
    /// The aisbx binary (this process's, or <paramref name="binary"/>: the one aisbx-run hands over to), as a stamp: a
    /// rebuilt or reinstalled aisbx is another build.
    /// </summary>
    public static string Build(string? binary = null) => FileStamp.Of(binary ?? System.Environment.ProcessPath ?? "/proc/self/exe");

    /// <summary>
    /// Every <c>AISBX_*</c> variable (but the checkout's, which only the freshness check reads) and the few others
    /// aisbx reads, as one sorted text.
    /// </summary>
    public static string Environment()
    {
        var pairs = new List<string>();
        foreach (System.Collections.DictionaryEntry entry in System.Environment.GetEnvironmentVariables())
        {
            var name = (string)entry.Key;
            if ((name.StartsWith("AISBX_", StringComparison.Ordinal) && name != CheckoutFreshness.Variable) || EnvironmentNames.Contains(name, StringComparer.Ordinal))
            {
                pairs.Add(name + "=" + entry.Value);
            }
        }

        pairs.Sort(StringComparer.Ordinal);
        return string.Join('\n', pairs);
    }

    /// <summary>config.toml and the user's profiles, as stamps: an edit to any of them means a server started before it is stale.</summary>
    public string ConfigStamp()
    {
        var text = new StringBuilder(FileStamp.Of(Path.Combine(configDirectory, Core.Configuration.AisbxConfig.ConfigFileName)));
        var profiles = Path.Combine(configDirectory, "profiles");
        text.Append('|').Append(FileStamp.Of(profiles));
        if (System.IO.Directory.Exists(profiles))
        {
            foreach (var file in System.IO.Directory.GetFiles(profiles).Order(StringComparer.Ordinal))
            {
                text.Append('|').Append(file).Append('=').Append(FileStamp.Of(file));
            }
        }

        return text.ToString();
    }
}
