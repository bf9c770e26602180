using System.Globalization;
using System.Runtime.ExceptionServices;
using System.Text.RegularExpressions;
using Aisbx.Sandbox.Limits;
using Microsoft.Win32.SafeHandles;

namespace Aisbx.Sandbox.Launch;

/// <summary>
/// Puts the sandbox in its cgroup before the program exists: bubblewrap reports its init's pid on the status pipe
/// right after creating it, and that init waits on <c>--block-fd</c> until the pid is in the cgroup, so that
/// everything it starts is counted. If the move fails, the sandbox is ended and the run fails.
/// </summary>
internal sealed partial class CgroupPlacement(SandboxCgroup cgroup, SafeFileHandle release, NativeProcess process)
{
    private bool _done;

    public ExceptionDispatchInfo? Failure { get; private set; }

    public void OnStatus(string status)
    {
        if (_done)
        {
            return;
        }

        var match = ChildPidPattern().Match(status);
        if (!match.Success)
        {
            return;
        }

        _done = true;
        var pid = int.Parse(match.Groups[1].ValueSpan, CultureInfo.InvariantCulture);
        try
        {
            cgroup.Add(pid);
            CgroupMigrationWarmUp.Stop();
            using var stream = new FileStream(release, FileAccess.Write, bufferSize: 0);
            stream.WriteByte(1);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            if (HasExited(pid))
            {
                return; // The init already died while building the sandbox: bubblewrap's own error says why.
            }

            process.Kill();
            Failure = ExceptionDispatchInfo.Capture(new SandboxStartException($"cannot put the sandbox in its cgroup ({ex.Message}); run 'aisbx doctor'"));
        }
        finally
        {
            release.Dispose();
        }
    }

    /// <summary>Gone, or a zombie waiting to be reaped (which a cgroup refuses as "no such process").</summary>
    private static bool HasExited(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..];
            return state.StartsWith('Z') || state.StartsWith('X');
        }
        catch (IOException)
        {
            return true;
        }
    }

    [GeneratedRegex("\"child-pid\"\\s*:\\s*(\\d+)")]
    private static partial Regex ChildPidPattern();
}
