namespace Aisbx.Launcher.Extract;

internal static class SizeText
{
    /// <summary><c>8 GiB</c>, <c>512 MiB</c>, <c>1000 bytes</c>: the largest binary unit the size is a whole multiple of.</summary>
    public static string Format(long bytes) =>
        bytes % (1L << 30) == 0 && bytes > 0 ? $"{bytes >> 30} GiB"
        : bytes % (1L << 20) == 0 && bytes > 0 ? $"{bytes >> 20} MiB"
        : bytes % (1L << 10) == 0 && bytes > 0 ? $"{bytes >> 10} KiB"
        : $"{bytes} bytes";
}
