using System.Globalization;

namespace Aisbx.Core.Units;

/// <summary>A size for people to read, rounded (<c>512 B</c>, <c>12.3 MiB</c>, <c>175 MiB</c>), unlike <see cref="ByteSize"/>'s exact forms for limits.</summary>
public static class ByteCount
{
    private static readonly string[] Units = ["KiB", "MiB", "GiB", "TiB"];

    public static string Human(long bytes)
    {
        if (bytes < 1024)
        {
            return bytes.ToString(CultureInfo.InvariantCulture) + " B";
        }

        var value = (double)bytes;
        var unit = -1;
        while (value >= 1024 && unit < Units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return (value >= 100 ? value.ToString("0", CultureInfo.InvariantCulture) : value.ToString("0.0", CultureInfo.InvariantCulture)) + " " + Units[unit];
    }
}
