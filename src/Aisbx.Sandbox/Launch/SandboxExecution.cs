using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Aisbx.Sandbox.Bubblewrap;
using Aisbx.Sandbox.Host;
using Aisbx.Sandbox.Output;
using Microsoft.Win32.SafeHandles;

namespace Aisbx.Sandbox.Launch;

/// <summary>
/// Starts bubblewrap for a plan (through setpriv when aisbx is root), wires its descriptors, streams its output and
/// ends it at the wall-clock limit or on cancellation. Ending bubblewrap ends the sandbox: <c>--die-with-parent</c>
/// kills the sandbox's pid 1, and with it every process in its pid namespace, detached or not.
/// </summary>
internal static partial class SandboxExecution
{
    private static readonly TimeSpan DrainGrace = TimeSpan.FromSeconds(5);

    public static async Task<ExecutionOutcome> RunAsync(
        LaunchPlan plan, Workspace workspace, OutputSink stdout, OutputSink stderr, Stream? stdin, long stdinCapBytes,
        CancellationToken cancellationToken)
    {
        var invocation = BwrapCommandLine.Build(plan);
        var (executable, argv) = CommandLine(plan, invocation);

        using var stdoutPipe = PipePair.Create();
        using var stderrPipe = PipePair.Create();
        using var statusPipe = PipePair.Create();
        using var stdinPipe = PipePair.Create();
        var dataFiles = invocation.DataFiles.Select(d => (d.Fd, Handle: MemoryFile.Create("aisbx-data", d.Content))).ToList();

        var statusSink = new CapturingSink(4096);
        NativeProcess process;
        try
        {
            List<(int, int)> fds =
            [
                (Fd(stdinPipe.Read), 0), (Fd(stdoutPipe.Write), 1), (Fd(stderrPipe.Write), 2),
                (Fd(statusPipe.Write), BwrapCommandLine.StatusFd), (Fd(workspace.Handle), BwrapCommandLine.WorkspaceFd),
                .. dataFiles.Select(d => (Fd(d.Handle), d.Fd)),
            ];
            process = await NativeProcess.StartAsync(executable, argv, plan.Env, fds);
        }
        finally
        {
            // The child has its copies now; ours of its ends must go, or the pipes never reach end of file.
            stdoutPipe.Write.Dispose();
            stderrPipe.Write.Dispose();
            statusPipe.Write.Dispose();
            stdinPipe.Read.Dispose();
            dataFiles.ForEach(d => d.Handle.Dispose());
        }

        using (process)
        {
            var started = Stopwatch.GetTimestamp();
            var pumps = new[]
            {
                OutputPump.RunAsync(stdoutPipe.Read, stdout),
                OutputPump.RunAsync(stderrPipe.Read, stderr),
                OutputPump.RunAsync(statusPipe.Read, statusSink),
            };
            var stdinPump = stdin is null ? Task.FromResult(false) : InputPump.RunAsync(stdin, stdinPipe.Write, stdinCapBytes);
            if (stdin is null)
            {
                stdinPipe.Write.Dispose();
            }

            var timedOut = false;
            var cancelled = false;
            using var timeout = new CancellationTokenSource(plan.Limits.WallTime);
            using var onTimeout = timeout.Token.Register(() =>
            {
                timedOut = true;
                process.Kill();
            });
            using var onCancel = cancellationToken.Register(() =>
            {
                cancelled = true;
                process.Kill();
            });

            var exit = await process.WaitForExitAsync();
            var duration = Stopwatch.GetElapsedTime(started);
            await Task.WhenAll(pumps).WaitAsync(DrainGrace, CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

            var stdinTruncated = stdinPump.IsCompletedSuccessfully && stdinPump.Result;
            return new ExecutionOutcome(exit, ProgramExitCode(statusSink.Text), timedOut, cancelled, stdinTruncated, duration);
        }
    }

    /// <summary>The argument vector to spawn: bubblewrap itself, or setpriv dropping root first.</summary>
    internal static (string Executable, List<string> Argv) CommandLine(LaunchPlan plan, BwrapInvocation invocation)
    {
        var bwrap = HostTools.Bwrap;
        if (plan.RunAs is not { } identity)
        {
            return (bwrap, [bwrap, .. invocation.Arguments]);
        }

        var setpriv = HostTools.Setpriv;
        return (setpriv,
        [
            setpriv,
            "--reuid=" + identity.Uid.ToString(CultureInfo.InvariantCulture),
            "--regid=" + identity.Gid.ToString(CultureInfo.InvariantCulture),
            "--clear-groups", "--inh-caps=-all", "--bounding-set=-all", "--",
            bwrap, .. invocation.Arguments,
        ]);
    }

    /// <summary>bubblewrap reports <c>exit-code</c> only when the program was actually exec'd.</summary>
    private static int? ProgramExitCode(string status)
    {
        var match = ExitCodePattern().Match(status);
        return match.Success ? int.Parse(match.Groups[1].ValueSpan, CultureInfo.InvariantCulture) : null;
    }

    private static int Fd(SafeFileHandle handle) => (int)handle.DangerousGetHandle();

    [GeneratedRegex("\"exit-code\"\\s*:\\s*(\\d+)")]
    private static partial Regex ExitCodePattern();
}
