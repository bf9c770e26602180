namespace Aisbx.Core.Policy;

/// <summary>
/// What Linux's execve accepts (fs/exec.c), which every program start of a sandbox must pass: aisbx spawning
/// bubblewrap (whose own arguments carry the program's), and the launcher starting the program with its
/// environment. Past these the start fails with E2BIG, so policy refuses earlier, with room to spare.
/// </summary>
public static class ExecLimits
{
    /// <summary>MAX_ARG_STRLEN: one argument or one NAME=value, with its NUL (32 pages of 4 KiB).</summary>
    public const int MaxStringBytes = 32 * 4096;

    /// <summary>The stack limit policy assumes (the common default, <c>ulimit -s 8192</c>).</summary>
    public const long AssumedStackBytes = 8L << 20;

    /// <summary>
    /// Kept free for what aisbx adds to the request's own arguments and environment: bubblewrap's options (a few
    /// KiB of mounts), setpriv's, the launcher's, and the profile's environment.
    /// </summary>
    public const long ReservedBytes = 512L << 10;

    /// <summary>Bytes a request's arguments and environment may take together, pointers included.</summary>
    public static long RequestBudgetBytes { get; } = TotalBytes(AssumedStackBytes) - ReservedBytes;

    /// <summary>
    /// The kernel's limit on one exec's strings and their pointers: a quarter of the stack limit, at most three
    /// quarters of 8 MiB, at least 32 pages.
    /// </summary>
    public static long TotalBytes(long stackLimitBytes) =>
        Math.Max(32 * 4096, Math.Min((8L << 20) / 4 * 3, stackLimitBytes / 4));

    /// <summary>What one string costs an exec: its bytes, its NUL and its pointer.</summary>
    public static long Cost(int utf8Bytes) => utf8Bytes + 1 + IntPtr.Size;
}
