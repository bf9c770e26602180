namespace Aisbx.Service.Sandboxes;

/// <summary>The signals a caller may send to a background process, by name (<c>TERM</c>, <c>SIGTERM</c>) or number.</summary>
public static class Signals
{
    private static readonly (string Name, int Number)[] Known =
        [("HUP", 1), ("INT", 2), ("QUIT", 3), ("KILL", 9), ("USR1", 10), ("USR2", 12), ("TERM", 15), ("CONT", 18), ("STOP", 19)];

    public static IEnumerable<string> Names => Known.Select(k => k.Name);

    public static int? Number(string signal)
    {
        var name = signal.StartsWith("SIG", StringComparison.OrdinalIgnoreCase) ? signal[3..] : signal;
        foreach (var (known, number) in Known)
        {
            if (string.Equals(known, name, StringComparison.OrdinalIgnoreCase) || name == number.ToString(System.Globalization.CultureInfo.InvariantCulture))
            {
                return number;
            }
        }

        return null;
    }
}
