using System.Text;

namespace Aisbx.Sandbox.Host;

/// <summary>
/// What a run changed of the git repository at the top of a caller's workdir that git would execute as the user on
/// the host afterwards: the hooks, and <c>.git/config</c>, whose command keys (<c>core.fsmonitor</c>, filters,
/// <c>core.sshCommand</c>, …) run programs. Compared by change time (which a program cannot set back), size and
/// inode, taken once the sandbox has the workdir and again once it is dead; never through a symlink.
/// </summary>
internal sealed class GitTamperCheck
{
    /// <summary>Keys whose value git runs as a program, as <c>section.key</c> with <c>*</c> for a subsection.</summary>
    private static readonly string[] CommandKeys =
    [
        "core.fsmonitor", "core.hookspath", "core.sshcommand", "core.pager", "core.editor", "core.askpass",
        "sequence.editor", "credential.helper", "credential.*.helper", "gpg.program", "gpg.*.program", "diff.external",
        "diff.*.textconv", "diff.*.command", "filter.*.clean", "filter.*.smudge", "filter.*.process", "merge.*.driver",
        "include.path", "includeif.*.path", "uploadpack.packobjectshook", "pager.*", "interactive.difffilter", "web.browser",
    ];

    private const int MaxConfigBytes = 1 << 20;

    private readonly string _workdir;
    private readonly Dictionary<string, Fingerprint> _before;

    private GitTamperCheck(string workdir)
    {
        _workdir = workdir;
        _before = Snapshot(workdir);
    }

    public static GitTamperCheck Before(string workdir) => new(workdir);

    /// <returns>What changed, or null when nothing git would run did.</returns>
    public GitChange? After()
    {
        var after = Snapshot(_workdir);
        List<string> changed = [.. after.Keys.Union(_before.Keys).Where(path => !after.TryGetValue(path, out var now) || !_before.TryGetValue(path, out var then) || now != then).Order(StringComparer.Ordinal)];
        if (changed.Count == 0)
        {
            return null;
        }

        var keys = changed.Contains(ConfigPath) ? CommandKeysIn(Path.Combine(_workdir, ConfigPath)) : [];
        return new GitChange(changed, keys, ChangedHooks: changed.Any(path => path != ConfigPath));
    }

    private const string ConfigPath = ".git/config";

    private static Dictionary<string, Fingerprint> Snapshot(string workdir)
    {
        var entries = new Dictionary<string, Fingerprint>(StringComparer.Ordinal);
        if (FileStatus.OfLink(Path.Combine(workdir, ".git")) is not { IsDirectory: true })
        {
            return entries;
        }

        Add(entries, workdir, ConfigPath);
        var hooks = Path.Combine(workdir, ".git", "hooks");
        if (FileStatus.OfLink(hooks) is { IsDirectory: true })
        {
            foreach (var hook in Directory.EnumerateFileSystemEntries(hooks).Where(h => !h.EndsWith(".sample", StringComparison.Ordinal)))
            {
                Add(entries, workdir, Path.GetRelativePath(workdir, hook));
            }
        }

        return entries;
    }

    private static void Add(Dictionary<string, Fingerprint> entries, string workdir, string relative)
    {
        if (FileStatus.OfLink(Path.Combine(workdir, relative)) is { } status)
        {
            entries[relative] = new Fingerprint(status.Inode, status.Size, status.Mode, status.ChangedSeconds, status.ChangedNanoseconds);
        }
    }

    /// <summary>The command keys set in a config file, by name only (their values are the program's, not for the record).</summary>
    private static List<string> CommandKeysIn(string configPath)
    {
        if (FileStatus.OfLink(configPath) is not { IsRegularFile: true, Size: <= MaxConfigBytes })
        {
            return [];
        }

        var found = new SortedSet<string>(StringComparer.Ordinal);
        var section = "";
        foreach (var rawLine in File.ReadAllText(configPath, Encoding.UTF8).Split('\n'))
        {
            var line = rawLine.Trim();
            if (line.StartsWith('['))
            {
                // [core], [filter "lfs"], [remote "origin"]: the subsection becomes '*'.
                var header = line.TrimStart('[').Split(']')[0].Trim();
                var space = header.IndexOf(' ', StringComparison.Ordinal);
                section = (space < 0 ? header : header[..space] + ".*").ToLowerInvariant();
                line = line[(line.IndexOf(']', StringComparison.Ordinal) + 1)..].Trim();
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            var name = (equals < 0 ? line : line[..equals]).Trim().ToLowerInvariant();
            if (name.Length == 0 || name.StartsWith('#') || name.StartsWith(';'))
            {
                continue;
            }

            // An alias whose value starts with '!' is a shell command.
            var key = section + "." + name;
            var runsShell = section == "alias" && equals >= 0 && line[(equals + 1)..].TrimStart().StartsWith('!');
            if (CommandKeys.Contains(key) || runsShell)
            {
                found.Add(key);
            }
        }

        return [.. found];
    }

    private readonly record struct Fingerprint(ulong Inode, ulong Size, ushort Mode, long ChangedSeconds, uint ChangedNanoseconds);
}

/// <summary>Paths under <c>.git</c> that a run changed, the command keys now in its config, and whether hooks changed.</summary>
internal sealed record GitChange(IReadOnlyList<string> Paths, IReadOnlyList<string> CommandKeys, bool ChangedHooks)
{
    public bool RunsPrograms => ChangedHooks || CommandKeys.Count > 0;

    public string Describe() =>
        $"the run changed {string.Join(", ", Paths)} in the workdir" +
        (CommandKeys.Count > 0 ? $"; its git config now sets {string.Join(", ", CommandKeys)}" : "") +
        (RunsPrograms ? ": git runs these as you on the host (hooks, core.fsmonitor on every git status): review them before using git there" : "");
}
