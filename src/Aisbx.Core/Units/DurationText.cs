using System.Globalization;

namespace Aisbx.Core.Units;

/// <summary>Parses and prints durations the way the command line writes them: <c>500ms</c>, <c>30s</c>, <c>2m</c>, <c>1h</c>.</summary>
public static class DurationText
{
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = default;
        if (!UnitSuffix.TrySplit(text, out var digits, out var unit))
        {
            return false;
        }

        if (!double.TryParse(digits, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number)
            || number <= 0 || double.IsInfinity(number))
        {
            return false;
        }

        double? seconds = unit switch
        {
            "ms" => number / 1000,
            "" or "s" => number,
            "m" => number * 60,
            "h" => number * 3600,
            "d" => number * 86400,
            _ => null,
        };
        if (seconds is not { } s || s > TimeSpan.FromDays(3650).TotalSeconds)
        {
            return false;
        }

        value = TimeSpan.FromSeconds(s);
        return value > TimeSpan.Zero;
    }

    public static string Format(TimeSpan value) =>
        value.TotalMilliseconds % 1000 != 0 ? $"{value.TotalMilliseconds:0}ms"
        : value.TotalSeconds % 3600 == 0 ? $"{value.TotalSeconds / 3600:0}h"
        : value.TotalSeconds % 60 == 0 ? $"{value.TotalSeconds / 60:0}m"
        : $"{value.TotalSeconds:0}s";
}
