using System.Globalization;

namespace Aisbx.Core.Units;

/// <summary>Parses and prints sizes the way the command line writes them: <c>512K</c>, <c>256M</c>, <c>1G</c> (powers of 1024).</summary>
public static class ByteSize
{
    public static bool TryParse(string? text, out long bytes)
    {
        bytes = 0;
        if (!UnitSuffix.TrySplit(text, out var digits, out var unit))
        {
            return false;
        }

        if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number <= 0)
        {
            return false;
        }

        long? multiplier = unit.ToString().ToUpperInvariant() switch
        {
            "" or "B" => 1L,
            "K" or "KB" or "KIB" => 1L << 10,
            "M" or "MB" or "MIB" => 1L << 20,
            "G" or "GB" or "GIB" => 1L << 30,
            "T" or "TB" or "TIB" => 1L << 40,
            _ => null,
        };
        if (multiplier is not { } m || number > long.MaxValue / m)
        {
            return false;
        }

        bytes = number * m;
        return true;
    }

    public static string Format(long bytes) =>
        bytes % (1L << 30) == 0 ? $"{bytes >> 30}G"
        : bytes % (1L << 20) == 0 ? $"{bytes >> 20}M"
        : bytes % (1L << 10) == 0 ? $"{bytes >> 10}K"
        : bytes.ToString(CultureInfo.InvariantCulture);
}
