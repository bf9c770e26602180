using System.Globalization;

namespace Aisbx.Core.Units;

/// <summary>How aisbx prints a moment to people: UTC, to the second.</summary>
public static class TimeText
{
    public static string Format(DateTimeOffset time) =>
        time.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
