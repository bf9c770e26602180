using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Aisbx.Core.Policy;
using static Aisbx.Sandbox.Interop.Interop;

namespace Aisbx.Sandbox.Launch;

/// <summary>
/// Why aisbx could not start a host tool (setpriv, bubblewrap), as one line for the caller: the start
/// error of a sandbox, never a raw errno. Names the tool, not its host path.
/// </summary>
internal static class SpawnFailure
{
    private const int E2BIG = 7;
    private const int EMFILE = 24;

    public static SandboxStartException Of(int error, string executable, IReadOnlyList<string> argv, IReadOnlyList<KeyValuePair<string, string>> env)
    {
        var tool = Path.GetFileName(executable);
        return error switch
        {
            E2BIG => new SandboxStartException(
                $"the sandbox could not start: its command line takes {Bytes(argv, env).ToString(CultureInfo.InvariantCulture)} bytes in {(argv.Count + env.Count).ToString(CultureInfo.InvariantCulture)} strings, " +
                $"more than Linux accepts for one program here (at most {ExecLimits.MaxStringBytes.ToString(CultureInfo.InvariantCulture)} bytes in one string, " +
                $"{KernelLimit().ToString(CultureInfo.InvariantCulture)} in all, a quarter of 'ulimit -s'): pass large data through a file or stdin"),
            EMFILE => new SandboxStartException("the sandbox could not start: aisbx has too many files open: retry when fewer runs are going on, or raise 'ulimit -n'"),
            _ => new SandboxStartException($"the sandbox could not start: {tool} could not be started ({Marshal.GetPInvokeErrorMessage(error)}). Run 'aisbx doctor' to check this host"),
        };
    }

    /// <summary>A step of preparing the spawn failed (descriptors, attributes).</summary>
    public static SandboxStartException Preparing(int error, string step) => error == EMFILE
        ? Of(error, "", [], [])
        : new SandboxStartException($"the sandbox could not start: {step} failed ({Marshal.GetPInvokeErrorMessage(error)}). Run 'aisbx doctor' to check this host");

    private static long Bytes(IReadOnlyList<string> argv, IReadOnlyList<KeyValuePair<string, string>> env) =>
        argv.Sum(a => ExecLimits.Cost(Encoding.UTF8.GetByteCount(a)))
        + env.Sum(e => ExecLimits.Cost(Encoding.UTF8.GetByteCount(e.Key) + 1 + Encoding.UTF8.GetByteCount(e.Value)));

    private static long KernelLimit() =>
        GetRlimit(RLIMIT_STACK, out var stack) == 0
            ? ExecLimits.TotalBytes(stack.Current >= long.MaxValue ? long.MaxValue : (long)stack.Current)
            : ExecLimits.TotalBytes(ExecLimits.AssumedStackBytes);
}
