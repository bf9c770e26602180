using System.Runtime.InteropServices;

namespace Aisbx.Launcher;

/// <summary>
/// The sandbox's rlimits, from the payload: set on the launcher itself as the last step before it execs the
/// program (and by the agent before it starts any), so that every process of the sandbox inherits them.
/// </summary>
internal sealed unsafe partial class Rlimits(Rlimits.Entry[] entries)
{
    public const int MaxCount = 16;
    public const int EntryBytes = 4 + 8 + 8;

    public readonly record struct Entry(int Resource, ulong Soft, ulong Hard);

    public IReadOnlyList<Entry> Entries => entries;

    /// <returns>0, or the errno of the first limit the kernel refused.</returns>
    public int Apply()
    {
        var limit = stackalloc ulong[2];
        foreach (var entry in entries)
        {
            (limit[0], limit[1]) = (entry.Soft, entry.Hard);
            if (SetRlimit(entry.Resource, limit) != 0)
            {
                return Marshal.GetLastPInvokeError();
            }
        }

        return 0;
    }

    [LibraryImport("libc", EntryPoint = "setrlimit", SetLastError = true)]
    private static partial int SetRlimit(int resource, ulong* limit);
}
