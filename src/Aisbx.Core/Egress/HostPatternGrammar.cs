using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Aisbx.Core.Egress;

/// <summary>
/// Reads host entries strictly: one spelling per host, so that an entry and a client's name are compared as equal
/// strings. Forms a resolver reads as an address (<c>127.1</c>, <c>0x7f.0.0.1</c>) are not names here.
/// </summary>
internal static class HostPatternGrammar
{
    public const string InvalidRule = "host-pattern-invalid";
    public const string TooBroadRule = "allow-too-broad";

    private const int MaxNameLength = 253;
    private const int MaxLabelLength = 63;
    private const string Example = "write a host such as example.org, *.example.org, example.org:8443, 192.0.2.1 or [2001:db8::1]:443";

    public static HostPattern Parse(string text)
    {
        if (string.IsNullOrEmpty(text))
        {
            throw Invalid($"an empty host entry: {Example}");
        }

        var shown = Shown(text);
        if (text.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            throw Invalid($"host entry '{shown}' contains a space or control character: {Example}");
        }

        if (text.Contains("://", StringComparison.Ordinal) || text.Contains('/', StringComparison.Ordinal))
        {
            throw Invalid(text.Contains("://", StringComparison.Ordinal)
                ? $"host entry '{shown}' is a URL: give only its host (and :port), e.g. example.org"
                : $"host entry '{shown}' is not a host (a path or an address range?): list host names or single addresses; the proxy checks addresses, and an operator allows ranges with [egress] exempt");
        }

        var (hostText, portText) = Split(text, shown);
        var port = portText is null ? (int?)null : ParsePort(portText, shown);
        return new HostPattern(ParseHost(hostText, shown, bracketed: text[0] == '['), port);
    }

    /// <summary>A client's host in the form entries use: lowercase, no trailing dot, punycode, IPv6 without brackets.</summary>
    public static bool TryNormalizeHost(string host, out string normalized)
    {
        normalized = "";
        if (string.IsNullOrEmpty(host) || host.Length > MaxNameLength + 3 || host.Contains('*', StringComparison.Ordinal))
        {
            return false;
        }

        var bracketed = host[0] == '[';
        if (bracketed != host.EndsWith(']'))
        {
            return false;
        }

        try
        {
            normalized = ParseHost(bracketed ? host[1..^1] : host, host, bracketed);
            return true;
        }
        catch (HostPatternException)
        {
            return false;
        }
    }

    private static (string Host, string? Port) Split(string text, string shown)
    {
        if (text[0] == '[')
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                throw Invalid($"host entry '{shown}' opens '[' without closing it: write an IPv6 address as [2001:db8::1] or [2001:db8::1]:443");
            }

            var rest = text[(close + 1)..];
            return rest.Length == 0 ? (text[1..close], null)
                : rest[0] == ':' ? (text[1..close], rest[1..])
                : throw Invalid($"host entry '{shown}' has '{Shown(rest)}' after the address: write [2001:db8::1] or [2001:db8::1]:443");
        }

        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return (text, null);
        }

        if (text.IndexOf(':', colon + 1) >= 0)
        {
            throw Invalid($"host entry '{shown}' has more than one ':': write an IPv6 address in brackets, e.g. [2001:db8::1] or [2001:db8::1]:443");
        }

        return (text[..colon], text[(colon + 1)..]);
    }

    private static int ParsePort(string text, string shown) =>
        text.Length is > 0 and <= 5
        && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port)
        && port is >= 1 and <= 65535
            ? port
            : throw Invalid($"host entry '{shown}' has port '{Shown(text)}': give a port from 1 to 65535, or none for 80 and 443");

    private static string ParseHost(string text, string shown, bool bracketed)
    {
        if (bracketed)
        {
            return IPAddress.TryParse(text, out var v6) && v6.AddressFamily == AddressFamily.InterNetworkV6 && !text.Contains('%', StringComparison.Ordinal)
                ? v6.ToString()
                : throw Invalid($"host entry '{shown}' has '[{Shown(text)}]', which is not an IPv6 address (a zone such as %eth0 is not taken): write e.g. [2001:db8::1]");
        }

        if (text.Contains(':', StringComparison.Ordinal))
        {
            return IPAddress.TryParse(text, out var bare) && bare.AddressFamily == AddressFamily.InterNetworkV6 && !text.Contains('%', StringComparison.Ordinal)
                ? bare.ToString()
                : throw Invalid($"host '{shown}' is not a name or an address: {Example}");
        }

        var name = text.EndsWith('.') ? text[..^1] : text;
        if (name == "*")
        {
            throw new HostPatternException(TooBroadRule,
                $"host entry '{shown}' allows every host: list the hosts, or the registrable domain's subdomains, e.g. *.example.org");
        }

        var wildcard = name.StartsWith("*.", StringComparison.Ordinal);
        var suffix = wildcard ? name[2..] : name;
        if (suffix.Contains('*', StringComparison.Ordinal))
        {
            throw Invalid($"host entry '{shown}' has a '*' that is not the whole leftmost label: a wildcard is written *.example.org");
        }

        if (!wildcard && IPAddress.TryParse(suffix, out var v4) && v4.AddressFamily == AddressFamily.InterNetwork)
        {
            return v4.ToString() == suffix
                ? suffix
                : throw Invalid($"host entry '{shown}' is an address in a form resolvers read differently: write it as four numbers 0-255, e.g. 192.0.2.1");
        }

        var ascii = ToAscii(suffix, shown);
        CheckName(ascii, shown, wildcard);
        return wildcard ? "*." + ascii : ascii;
    }

    /// <remarks>
    /// The builds run with invariant globalization (no ICU), so IDNA's mapping is only lowercasing: a name in a
    /// decomposed Unicode form reads as another name than its composed form, and so matches nothing (fails closed).
    /// </remarks>
    private static string ToAscii(string name, string shown)
    {
        var lower = name.ToLowerInvariant();
        var idn = new IdnMapping { UseStd3AsciiRules = true };
        string ascii;
        try
        {
            ascii = lower.All(char.IsAscii) ? lower
                : lower.All(IsNameCharacter) ? idn.GetAscii(lower)
                : throw new ArgumentException("not letters, digits, marks, hyphens and dots");
        }
        catch (ArgumentException)
        {
            throw Invalid($"host '{shown}' is not a valid international domain name: check its spelling, or give its punycode (xn--...) form");
        }

        foreach (var label in ascii.Split('.'))
        {
            if (label.StartsWith("xn--", StringComparison.Ordinal) && !IsCanonicalPunycode(idn, label))
            {
                throw Invalid($"host '{shown}' has label '{Shown(label)}', which is not valid punycode: give the name in Unicode, or its exact xn-- form");
            }
        }

        return ascii;
    }

    private static bool IsCanonicalPunycode(IdnMapping idn, string label)
    {
        try
        {
            var decoded = idn.GetUnicode(label);
            return decoded.Length > 0 && !decoded.All(char.IsAscii) && decoded.All(IsNameCharacter)
                && idn.GetAscii(decoded.ToLowerInvariant()) == label;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>What a label of an international name may hold (without ICU, IDNA's own tables are not at hand).</summary>
    private static bool IsNameCharacter(char c) =>
        char.IsLetterOrDigit(c) || c is '-' or '.'
        || char.GetUnicodeCategory(c) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark;

    private static void CheckName(string name, string shown, bool wildcard)
    {
        if (name.Length == 0 || name.Length > MaxNameLength)
        {
            throw Invalid($"host '{shown}' is {(name.Length == 0 ? "empty" : $"longer than {MaxNameLength} characters")}: {Example}");
        }

        var labels = name.Split('.');
        foreach (var label in labels)
        {
            if (label.Length is 0 or > MaxLabelLength
                || label[0] == '-' || label[^1] == '-'
                || !label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
            {
                throw Invalid($"host '{shown}' has label '{Shown(label)}': each dot-separated part is 1 to {MaxLabelLength} letters, digits or inner hyphens");
            }
        }

        if (labels[^1].All(char.IsAsciiDigit))
        {
            throw Invalid(wildcard
                ? $"host entry '{shown}' is a wildcard over addresses: addresses take no wildcard; list each address, or a name"
                : $"host '{shown}' ends in a number, so it is neither a name nor an address: write an address as four numbers 0-255, e.g. 192.0.2.1");
        }
    }

    private static HostPatternException Invalid(string message) => new(InvalidRule, message);

    /// <summary>A caller's text as a one-line message quotes it: no control characters, at most 80 characters.</summary>
    private static string Shown(string text)
    {
        var line = new string([.. text.Select(c => char.IsControl(c) ? '?' : c)]);
        return line.Length <= 80 ? line : line[..77] + "...";
    }
}
