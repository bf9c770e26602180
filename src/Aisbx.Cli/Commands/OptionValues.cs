using System.Collections.Immutable;
using Aisbx.Core;
using Aisbx.Core.Units;

namespace Aisbx.Cli.Commands;

/// <summary>Option values as the command line writes them (<c>KEY=VALUE</c>, <c>30s</c>, <c>256M</c>), read into typed values or a one-line refusal.</summary>
internal static class OptionValues
{
    public static ImmutableSortedDictionary<string, string> Env(string[] pairs)
    {
        var builder = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var pair in pairs)
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new AisbxException($"--env '{pair}' is not KEY=VALUE: write it as NAME=value");
            }

            builder[pair[..equals]] = pair[(equals + 1)..];
        }

        return builder.ToImmutable();
    }

    public static TimeSpan? Duration(string? text, string option) =>
        text is null ? null
        : DurationText.TryParse(text, out var value) ? value
        : throw new AisbxException($"{option} '{text}' is not a duration: write e.g. 500ms, 30s or 2m");

    public static long? Size(string? text, string option) =>
        text is null ? null
        : ByteSize.TryParse(text, out var value) ? value
        : throw new AisbxException($"{option} '{text}' is not a size: write e.g. 256M or 1G");

    public static int? Pids(int? value) =>
        value is { } p ? (p > 0 ? p : throw new AisbxException("--pids must be a positive whole number")) : null;

    /// <summary>The <c>--allow-host</c> values; null when none was given (the profile's list), each judged by the run's policy.</summary>
    public static ImmutableArray<string>? AllowHosts(string[]? hosts) => hosts is { Length: > 0 } ? [.. hosts] : null;

    /// <summary>An option-like first word is the command only when the caller put it after <c>--</c>.</summary>
    public static bool CameAfterDoubleDash(IReadOnlyList<string> rawArgs, string first)
    {
        foreach (var arg in rawArgs)
        {
            if (arg == "--")
            {
                return true;
            }

            if (arg == first)
            {
                return false;
            }
        }

        return false;
    }
}
