using System.Collections.Immutable;

namespace Aisbx.Core.Policy;

/// <summary>
/// The profile's denied commands. This is a guard rail that stops an agent from reaching for <c>sudo</c> or
/// <c>curl</c> by habit; it is not the security boundary (a program can always build the same behaviour itself).
/// It checks the command, the command behind wrappers such as <c>env</c> or <c>nice</c>, and each command
/// position of a <c>sh -c</c> script.
/// </summary>
public static class CommandPolicy
{
    private static readonly ImmutableHashSet<string> Shells = ["sh", "bash", "dash", "zsh", "ksh", "ash", "busybox"];

    private static readonly ImmutableHashSet<string> Wrappers =
        ["env", "nice", "nohup", "time", "timeout", "stdbuf", "setsid", "exec", "command", "xargs", "ionice", "chrt", "taskset", "builtin"];

    private static readonly char[] ScriptSeparators = [';', '&', '|', '(', ')', '`', '\n', '{', '}', '!'];

    public static void Check(IReadOnlyList<string> command, IReadOnlyList<string> denied, string profileName)
    {
        if (denied.Count == 0)
        {
            return;
        }

        foreach (var name in CommandNames(command))
        {
            var rule = denied.FirstOrDefault(d => Matches(d, name));
            if (rule is not null)
            {
                throw new PolicyRefusal("command-denied",
                    $"'{name}' is a denied command in profile '{profileName}': run it another way, " +
                    $"or remove \"{rule}\" from denied_commands in a profile of your own");
            }
        }
    }

    /// <summary>The names of every command the argument vector would run, as far as can be seen without running it.</summary>
    public static IEnumerable<string> CommandNames(IReadOnlyList<string> command)
    {
        var index = 0;
        while (index < command.Count)
        {
            var name = BaseName(command[index]);
            yield return name;

            if (Shells.Contains(name))
            {
                for (var i = index + 1; i < command.Count - 1; i++)
                {
                    if (command[i].StartsWith('-') && command[i].Contains('c', StringComparison.Ordinal))
                    {
                        foreach (var scriptCommand in ScriptCommandNames(command[i + 1]))
                        {
                            yield return scriptCommand;
                        }

                        break;
                    }
                }

                yield break;
            }

            if (!Wrappers.Contains(name))
            {
                yield break;
            }

            // Skip the wrapper's options and assignments (env -i FOO=1 cmd, timeout 5 cmd, nice -n 5 cmd).
            index++;
            while (index < command.Count && (command[index].StartsWith('-') || command[index].Contains('=', StringComparison.Ordinal)
                       || (name is "timeout" or "nice" or "chrt" or "taskset" && char.IsAsciiDigit(command[index].FirstOrDefault()))))
            {
                index++;
            }
        }
    }

    private static IEnumerable<string> ScriptCommandNames(string script)
    {
        var normalized = script.Replace("$(", "(", StringComparison.Ordinal).Replace("&&", "&", StringComparison.Ordinal).Replace("||", "|", StringComparison.Ordinal);
        foreach (var segment in normalized.Split(ScriptSeparators, StringSplitOptions.RemoveEmptyEntries))
        {
            var words = segment.Split([' ', '\t', '\r'], StringSplitOptions.RemoveEmptyEntries)
                .Select(w => w.Trim('"', '\''))
                .SkipWhile(w => w.Contains('=', StringComparison.Ordinal) && !w.StartsWith('='))
                .ToArray();
            if (words.Length == 0 || words[0] is "if" or "then" or "else" or "do" or "while" or "until" or "for" or "in")
            {
                words = [.. words.Skip(1)];
            }

            if (words.Length > 0)
            {
                foreach (var name in CommandNames(words))
                {
                    yield return name;
                }
            }
        }
    }

    private static bool Matches(string rule, string name) =>
        rule.EndsWith('*') ? name.StartsWith(rule[..^1], StringComparison.Ordinal) : rule == name;

    private static string BaseName(string path)
    {
        var slash = path.LastIndexOf('/');
        return slash < 0 ? path : path[(slash + 1)..];
    }
}
