using System.Globalization;

namespace Aisbx.Sandbox.Live;

/// <summary>
/// Which exec a process of a live sandbox belongs to: every exec leads a session (and so a process group) of its
/// own, so the group of a host pid, translated into the sandbox's pid namespace, is the exec's pid inside.
/// </summary>
internal static class ProcessGroups
{
    /// <returns>The inner pid of the process group's leader, or null when it cannot be told (the leader is gone).</returns>
    public static int? InnerLeaderOf(int hostPid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{hostPid.ToString(CultureInfo.InvariantCulture)}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            if (fields.Length < 3 || !int.TryParse(fields[2], CultureInfo.InvariantCulture, out var group))
            {
                return null;
            }

            foreach (var line in File.ReadLines($"/proc/{group.ToString(CultureInfo.InvariantCulture)}/status"))
            {
                if (line.StartsWith("NSpid:", StringComparison.Ordinal))
                {
                    var ids = line[6..].Split('\t', ' ').Where(p => p.Length > 0).ToArray();
                    return int.TryParse(ids[^1], CultureInfo.InvariantCulture, out var inner) ? inner : null;
                }
            }
        }
        catch (IOException)
        {
        }

        return null;
    }
}
