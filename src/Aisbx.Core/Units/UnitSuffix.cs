namespace Aisbx.Core.Units;

/// <summary>Splits text such as <c>500ms</c> or <c>256M</c> into its number and its unit letters.</summary>
internal static class UnitSuffix
{
    public static bool TrySplit(string? text, out ReadOnlySpan<char> number, out ReadOnlySpan<char> unit)
    {
        number = unit = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var span = text.AsSpan().Trim();
        var unitStart = span.Length;
        while (unitStart > 0 && char.IsAsciiLetter(span[unitStart - 1]))
        {
            unitStart--;
        }

        number = span[..unitStart];
        unit = span[unitStart..];
        return true;
    }
}
