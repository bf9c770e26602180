using System.Collections.Immutable;
using Aisbx.Core.Profiles;
using Aisbx.Core.Runs;
using Aisbx.Core.Units;

namespace Aisbx.Run;

/// <summary>
/// The command lines aisbx-run takes itself: <c>[--config DIR] run [OPTION VALUE...] -- COMMAND [ARG...]</c>, with
/// only the options a pooled sandbox can serve, each as <c>--name VALUE</c>, <c>--name=VALUE</c> or <c>-x VALUE</c>.
/// Anything else (another option, a value that does not read, no <c>--</c>, <c>--json</c>, help) is null: aisbx
/// itself parses it, with its own messages.
/// </summary>
internal static class RunArguments
{
    public sealed record Parsed(string? ConfigOption, RunRequest Request);

    public static Parsed? TryParse(string[] args)
    {
        var at = 0;
        string? config = null;
        if (args is ["--config", var directory, ..])
        {
            (config, at) = (directory, 2);
        }
        else if (args is [var first, ..] && first.StartsWith("--config=", StringComparison.Ordinal))
        {
            (config, at) = (first["--config=".Length..], 1);
        }

        if (args.Length <= at || args[at] != "run")
        {
            return null;
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var env = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        for (var i = at + 1; i < args.Length; i++)
        {
            if (args[i] == "--")
            {
                var command = args.AsSpan(i + 1);
                return command.IsEmpty ? null : Request(config, values, env.ToImmutable(), [.. command]);
            }

            var (name, value) = args[i].IndexOf('=', StringComparison.Ordinal) is var equals and > 0 && args[i].StartsWith("--", StringComparison.Ordinal)
                ? (args[i][..equals], args[i][(equals + 1)..])
                : (args[i], i + 1 < args.Length ? args[++i] : null);
            var option = Canonical(name);
            if (option is null || value is null || value.StartsWith('-'))
            {
                return null;
            }

            if (option == "--env")
            {
                if (value.IndexOf('=', StringComparison.Ordinal) <= 0)
                {
                    return null;
                }

                env[value[..value.IndexOf('=', StringComparison.Ordinal)]] = value[(value.IndexOf('=', StringComparison.Ordinal) + 1)..];
            }
            else if (!values.TryAdd(option, value))
            {
                return null; // given twice: aisbx says what it makes of that
            }
        }

        return null;
    }

    private static string? Canonical(string name) => name switch
    {
        "--profile" or "-p" => "--profile",
        "--timeout" or "-t" => "--timeout",
        "--memory" or "-m" => "--memory",
        "--pids" => "--pids",
        "--cpu-time" => "--cpu-time",
        "--network" => "--network",
        "--env" or "-e" => "--env",
        _ => null,
    };

    private static Parsed? Request(string? config, Dictionary<string, string> values, ImmutableSortedDictionary<string, string> env, ImmutableArray<string> command)
    {
        TimeSpan? wall = null, cpu = null;
        long? memory = null;
        int? pids = null;
        NetworkMode? network = null;
        if ((values.TryGetValue("--timeout", out var text) && !TryDuration(text, out wall))
            || (values.TryGetValue("--cpu-time", out text) && !TryDuration(text, out cpu))
            || (values.TryGetValue("--memory", out text) && !TrySize(text, out memory))
            || (values.TryGetValue("--pids", out text) && !TryPids(text, out pids))
            || (values.TryGetValue("--network", out text) && !TryNetwork(text, out network)))
        {
            return null;
        }

        return new Parsed(config, new RunRequest
        {
            Command = command,
            Profile = values.GetValueOrDefault("--profile", "default"),
            Env = env,
            Network = network,
            WallTime = wall,
            CpuTime = cpu,
            MemoryBytes = memory,
            Pids = pids,
        });
    }

    private static bool TryDuration(string text, out TimeSpan? value)
    {
        var parsed = DurationText.TryParse(text, out var duration);
        value = duration;
        return parsed;
    }

    private static bool TrySize(string text, out long? value)
    {
        var parsed = ByteSize.TryParse(text, out var size);
        value = size;
        return parsed;
    }

    private static bool TryPids(string text, out int? value)
    {
        var parsed = int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var count) && count > 0;
        value = count;
        return parsed;
    }

    /// <summary>none and host only: an allowlist is never pooled (its proxy is the run's).</summary>
    private static bool TryNetwork(string text, out NetworkMode? value)
    {
        value = text switch { "none" => NetworkMode.None, "host" => NetworkMode.Host, _ => null };
        return value is not null;
    }
}
