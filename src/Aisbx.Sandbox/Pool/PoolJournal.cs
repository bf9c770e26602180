using System.Globalization;
using System.Text;

namespace Aisbx.Sandbox.Pool;

/// <summary>
/// The profiles a server's pool served and when last, in <c>&lt;config&gt;/state/pool-profiles</c>, so that a server
/// started again (a stdio server starts with each client session) fills at once the pools of the profiles used
/// within <c>keep_for</c>, and its first run finds a sandbox waiting. One line per profile: the name, a tab, Unix
/// seconds. Written whole (temp + rename) at most once a minute per profile, off the run's thread; several servers
/// on one config directory each write what they last read plus their own use. A line that does not parse, or a name
/// that is not a profile's, is skipped: a start of an unknown profile would only fail and back off.
/// </summary>
internal sealed class PoolJournal(string path, TimeProvider clock)
{
    private static readonly TimeSpan WriteEvery = TimeSpan.FromMinutes(1);

    private readonly Lock _lock = new();
    private readonly Dictionary<string, DateTimeOffset> _written = new(StringComparer.Ordinal);

    public static string PathIn(string stateDirectory) => System.IO.Path.Combine(stateDirectory, "pool-profiles");

    /// <summary>A run of the profile took a pooled sandbox, or wanted one.</summary>
    public void Used(string profile)
    {
        var now = clock.GetUtcNow();
        lock (_lock)
        {
            if (_written.TryGetValue(profile, out var last) && now - last < WriteEvery)
            {
                return;
            }

            _written[profile] = now;
        }

        _ = Task.Run(() =>
        {
            lock (_lock)
            {
                var entries = Read();
                entries[profile] = now;
                Write(entries);
            }
        });
    }

    /// <summary>The profiles whose last use is within <paramref name="keepFor"/>.</summary>
    public IReadOnlyList<string> UsedWithin(TimeSpan keepFor)
    {
        var since = clock.GetUtcNow() - keepFor;
        lock (_lock)
        {
            return [.. Read().Where(e => e.Value >= since).Select(e => e.Key).Order(StringComparer.Ordinal)];
        }
    }

    private Dictionary<string, DateTimeOffset> Read()
    {
        Dictionary<string, DateTimeOffset> entries = new(StringComparer.Ordinal);
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return entries; // none yet, or unreadable: the pools fill at their first runs, as before
        }

        foreach (var line in lines)
        {
            var parts = line.Split('\t');
            if (parts is [var name, var seconds] && Core.Profiles.ProfileCatalog.IsValidName(name)
                && long.TryParse(seconds, NumberStyles.None, CultureInfo.InvariantCulture, out var unix) && unix < 253402300799)
            {
                entries[name] = DateTimeOffset.FromUnixTimeSeconds(unix);
            }
        }

        return entries;
    }

    private void Write(Dictionary<string, DateTimeOffset> entries)
    {
        var text = new StringBuilder();
        foreach (var (name, at) in entries.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            text.Append(name).Append('\t').Append(at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        var temporary = $"{path}.{Environment.ProcessId}.tmp";
        try
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
            File.WriteAllText(temporary, text.ToString());
            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A journal that cannot be written only means the next server's pools fill at their first runs.
            try
            {
                File.Delete(temporary);
            }
            catch (Exception cleanup) when (cleanup is IOException or UnauthorizedAccessException)
            {
            }
        }
    }
}
