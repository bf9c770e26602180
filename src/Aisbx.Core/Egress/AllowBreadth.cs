namespace Aisbx.Core.Egress;

/// <summary>
/// Refuses allow entries that open whole top-level or public suffixes: <c>*.com</c>, <c>*.co.uk</c>,
/// <c>*.github.io</c>. The suffixes are a short built-in list and a rule for country second levels, not the full
/// Public Suffix List: a rare public suffix outside it is taken as a registrable domain.
/// </summary>
internal static class AllowBreadth
{
    /// <summary>Second-level labels that, under a two-letter country code, are a public suffix (co.uk, com.au, ne.jp).</summary>
    private static readonly HashSet<string> CountrySecondLevels = new(StringComparer.Ordinal)
    {
        "ac", "co", "com", "edu", "go", "gob", "gov", "govt", "gv", "ltd", "me", "mil", "ne", "net", "nic", "nom", "or",
        "org", "plc", "sch",
    };

    /// <summary>Suffixes under which anyone can register a name of their own: hosting platforms and dynamic DNS.</summary>
    private static readonly HashSet<string> SharedSuffixes = new(StringComparer.Ordinal)
    {
        "amazonaws.com", "s3.amazonaws.com", "compute.amazonaws.com", "cloudfront.net", "azurewebsites.net",
        "azureedge.net", "blob.core.windows.net", "cloudapp.net", "appspot.com", "web.app", "firebaseapp.com",
        "run.app", "github.io", "githubusercontent.com", "gitlab.io", "pages.dev", "workers.dev", "r2.dev",
        "trycloudflare.com", "vercel.app", "netlify.app", "herokuapp.com", "fly.dev", "onrender.com", "glitch.me",
        "repl.co", "surge.sh", "readthedocs.io", "ngrok.io", "ngrok-free.app", "duckdns.org", "no-ip.org",
        "dyndns.org", "blogspot.com", "wordpress.com",
    };

    /// <exception cref="HostPatternException">With rule <c>allow-too-broad</c>, when the wildcard spans a public suffix.</exception>
    public static HostPattern Checked(HostPattern pattern)
    {
        if (!pattern.IsWildcard)
        {
            return pattern;
        }

        var suffix = pattern.Host[2..];
        var labels = suffix.Split('.');
        var isPublic = labels.Length == 1
            || SharedSuffixes.Contains(suffix)
            || (labels.Length == 2 && labels[1].Length == 2 && CountrySecondLevels.Contains(labels[0]));
        return isPublic
            ? throw new HostPatternException(HostPatternGrammar.TooBroadRule,
                $"allow entry '{pattern}' is too broad: *.{suffix} spans every domain registered under a public suffix; list the registrable domain's subdomains instead, e.g. *.example.{suffix}")
            : pattern;
    }
}
