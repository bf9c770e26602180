using System.Runtime.InteropServices;

namespace Aisbx.Run;

/// <summary>Hands the command line, unchanged, to aisbx: an exec, so it keeps this process, its descriptors and its parent.</summary>
internal static partial class HandOver
{
    public static int To(string aisbx, string[] args)
    {
        _ = Execv(aisbx, [aisbx, .. args, null]);
        Console.Error.WriteLine($"aisbx: cannot start {aisbx} ({Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}): build it with ./aisbx --version");
        return Core.Runs.ExitCodes.OwnError;
    }

    [LibraryImport("libc", EntryPoint = "execv", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Execv(string path, string?[] argv);
}
