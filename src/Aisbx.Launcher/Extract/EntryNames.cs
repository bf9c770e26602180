using System.Text;

namespace Aisbx.Launcher.Extract;

/// <summary>The lexical rules for names in an archive and for symlink targets: nothing may leave the tree.</summary>
internal static class EntryNames
{
    /// <summary>The entry's path as components below the tree; empty for the tree itself (<c>./</c>).</summary>
    /// <exception cref="ExtractRefusedException">An absolute name, a <c>..</c> component or a NUL.</exception>
    public static string[] Parse(string name)
    {
        if (name.Contains('\0', StringComparison.Ordinal))
        {
            throw new ExtractRefusedException($"entry '{Printable(name)}' has a NUL in its name: refused");
        }

        if (name.StartsWith('/'))
        {
            throw new ExtractRefusedException($"entry '{Printable(name)}' has an absolute name: refused (an archive's names must be relative to its root)");
        }

        var parts = name.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(part => part != ".").ToArray();
        if (parts.Contains(".."))
        {
            throw new ExtractRefusedException($"entry '{Printable(name)}' has a '..' component: refused (no entry may leave the tree)");
        }

        return parts;
    }

    /// <summary>
    /// Whether a relative symlink target, resolved lexically from the link's directory with the tree as <c>/</c>,
    /// stays inside the tree. An absolute target does: inside the sandbox it resolves in the tree.
    /// </summary>
    public static bool StaysInside(int linkDepth, string target)
    {
        if (target.StartsWith('/'))
        {
            return true;
        }

        var depth = linkDepth;
        foreach (var part in target.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == "..")
            {
                if (--depth < 0)
                {
                    return false;
                }
            }
            else if (part != ".")
            {
                depth++;
            }
        }

        return true;
    }

    /// <summary>A name from the archive as one safe line: control characters and backslashes escaped.</summary>
    public static string Printable(string name)
    {
        var text = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            if (c < 0x20 || c == 0x7f || c == '\\' || char.IsSurrogate(c) || c is '\u2028' or '\u2029' or '\u0085')
            {
                text.Append(c == '\\' ? "\\\\" : $"\\x{(int)c:x2}");
            }
            else
            {
                text.Append(c);
            }
        }

        return text.ToString();
    }
}
