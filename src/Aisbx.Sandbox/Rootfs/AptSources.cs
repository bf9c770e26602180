namespace Aisbx.Sandbox.Rootfs;

/// <summary>One <c>deb</c> source: where packages come from (mirror, suite, components).</summary>
public sealed record AptSource(string Uri, string Suite, string Components)
{
    /// <summary>As mmdebstrap takes a mirror argument: <c>deb URI SUITE COMPONENTS</c>.</summary>
    public string DebLine => $"deb {Uri} {Suite} {Components}";
}

/// <summary>
/// The host's apt sources (one-line <c>.list</c> files and deb822 <c>.sources</c> files), read once: a built tree
/// uses the host's suite and mirrors unless its profile names others.
/// </summary>
public static class AptSources
{
    private const string Directory = "/etc/apt";

    private static readonly Lazy<IReadOnlyList<AptSource>> Cached = new(() => Read(Directory));

    public static IReadOnlyList<AptSource> Host => Cached.Value;

    public static IReadOnlyList<AptSource> Read(string aptDirectory)
    {
        var sources = new List<AptSource>();
        var list = Path.Combine(aptDirectory, "sources.list");
        if (File.Exists(list))
        {
            sources.AddRange(ReadOneLine(File.ReadAllLines(list)));
        }

        var parts = Path.Combine(aptDirectory, "sources.list.d");
        if (System.IO.Directory.Exists(parts))
        {
            foreach (var file in System.IO.Directory.GetFiles(parts).Order(StringComparer.Ordinal))
            {
                if (file.EndsWith(".list", StringComparison.Ordinal))
                {
                    sources.AddRange(ReadOneLine(File.ReadAllLines(file)));
                }
                else if (file.EndsWith(".sources", StringComparison.Ordinal))
                {
                    sources.AddRange(ReadDeb822(File.ReadAllText(file)));
                }
            }
        }

        return [.. sources.Where(s => s.Uri.StartsWith("http://", StringComparison.Ordinal) || s.Uri.StartsWith("https://", StringComparison.Ordinal)).Distinct()];
    }

    private static IEnumerable<AptSource> ReadOneLine(IEnumerable<string> lines)
    {
        foreach (var raw in lines)
        {
            var line = raw.Split('#')[0].Trim();
            if (!line.StartsWith("deb ", StringComparison.Ordinal))
            {
                continue;
            }

            var rest = line[4..].Trim();
            if (rest.StartsWith('['))
            {
                var end = rest.IndexOf(']', StringComparison.Ordinal);
                rest = end < 0 ? "" : rest[(end + 1)..].Trim();
            }

            var fields = rest.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length >= 3)
            {
                yield return new AptSource(fields[0], fields[1], string.Join(' ', fields[2..]));
            }
        }
    }

    private static IEnumerable<AptSource> ReadDeb822(string text)
    {
        foreach (var stanza in text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var raw in stanza.Split('\n'))
            {
                var line = raw.Split('#')[0];
                if (line.StartsWith(' ') || line.StartsWith('\t') || line.IndexOf(':', StringComparison.Ordinal) is not (var colon and > 0))
                {
                    continue;
                }

                fields[line[..colon].Trim()] = line[(colon + 1)..].Trim();
            }

            if (!fields.TryGetValue("Types", out var types) || !types.Split(' ').Contains("deb")
                || (fields.TryGetValue("Enabled", out var enabled) && enabled.Equals("no", StringComparison.OrdinalIgnoreCase))
                || !fields.TryGetValue("URIs", out var uris) || !fields.TryGetValue("Suites", out var suites))
            {
                continue;
            }

            var components = fields.TryGetValue("Components", out var c) ? c : "main";
            foreach (var uri in uris.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                foreach (var suite in suites.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    yield return new AptSource(uri, suite, components);
                }
            }
        }
    }
}
