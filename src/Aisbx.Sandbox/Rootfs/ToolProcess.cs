using System.Diagnostics;
using Aisbx.Core;
using Aisbx.Sandbox.Bubblewrap;
using Aisbx.Sandbox.Host;

namespace Aisbx.Sandbox.Rootfs;

/// <summary>
/// Runs a host tool for a build (mmdebstrap, skopeo, umoci, the launcher's extractor): an empty environment but for
/// PATH and what the caller adds, a session of its own so that a timeout or a cancel ends every process it
/// started, optionally as an unprivileged uid (through setpriv), and each line of its output handed to
/// <paramref name="onLine"/> as it comes.
/// </summary>
public static class ToolProcess
{
    private const string SystemPath = "/usr/sbin:/usr/bin:/sbin:/bin";
    private const int SigTerm = 15;
    private static readonly string[] SetsidPaths = ["/usr/bin/setsid", "/bin/setsid"];
    private static readonly TimeSpan TermGrace = TimeSpan.FromSeconds(3);

    public sealed record Options
    {
        public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();

        public string? WorkingDirectory { get; init; }

        /// <summary>Run as this uid/gid (no supplementary groups, no capabilities) instead of aisbx's own.</summary>
        public HostIdentity? RunAs { get; init; }

        /// <summary>A file handed to the tool as its standard input; null for /dev/null.</summary>
        public string? StdinFile { get; init; }
    }

    /// <returns>The tool's exit code and its last lines of output (at most 40).</returns>
    /// <exception cref="OperationCanceledException">Cancelled or timed out; the tool's whole session was killed first.</exception>
    public static async Task<(int ExitCode, IReadOnlyList<string> Tail)> RunAsync(
        string tool, IReadOnlyList<string> arguments, Options options, Action<string>? onLine, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(FindSetsid())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = options.StdinFile is not null,
            UseShellExecute = false,
            WorkingDirectory = options.WorkingDirectory ?? "/",
        };
        info.Environment.Clear();
        info.Environment["PATH"] = SystemPath;
        info.Environment["LANG"] = "C.UTF-8";
        foreach (var (key, value) in options.Env)
        {
            info.Environment[key] = value;
        }

        // setsid: a session (and process group) whose id is the tool's pid, so that one kill reaches all it started.
        // setpriv: the tool dies with aisbx (parent-death signal), and leaves root when asked.
        info.ArgumentList.Add(HostTools.Setpriv);
        info.ArgumentList.Add("--pdeathsig=KILL");
        if (options.RunAs is { } identity)
        {
            info.ArgumentList.Add($"--reuid={identity.Uid}");
            info.ArgumentList.Add($"--regid={identity.Gid}");
            info.ArgumentList.Add("--clear-groups");
            info.ArgumentList.Add("--inh-caps=-all");
            info.ArgumentList.Add("--bounding-set=-all");
            info.ArgumentList.Add("--no-new-privs");
        }

        info.ArgumentList.Add("--");
        info.ArgumentList.Add(tool);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var tail = new Queue<string>();
        void Take(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (tail)
            {
                tail.Enqueue(line);
                if (tail.Count > 40)
                {
                    tail.Dequeue();
                }
            }

            onLine?.Invoke(line);
        }

        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        var exited = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        // The pid, not the Process: the thread disposes that as soon as the tool has exited, which may be before the
        // awaiter below runs.
        var started = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);

        // The parent-death signal fires when the spawning *thread* ends, so the tool is started and waited for on a
        // thread of its own that outlives it (a pool thread may retire at any time).
        var thread = new Thread(() =>
        {
            try
            {
                using var process = new Process { StartInfo = info };
                process.OutputDataReceived += (_, e) => Take(e.Data);
                process.ErrorDataReceived += (_, e) => Take(e.Data);
                process.Start();
                process.BeginOutputReadLine();
                process.BeginErrorReadLine();
                if (options.StdinFile is { } stdinFile)
                {
                    FeedStdin(process, stdinFile);
                }

                started.SetResult(process.Id);
                process.WaitForExit();
                exited.SetResult(process.ExitCode);
            }
            catch (Exception ex)
            {
                started.TrySetException(ex);
                exited.TrySetException(ex);
            }
        })
        { IsBackground = true, Name = "aisbx-build-tool" };
        thread.Start();

        int pid;
        try
        {
            pid = await started.Task.ConfigureAwait(false);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new BuildFailedException($"{tool} could not be started ({ex.Message}): install it, then run 'aisbx doctor'");
        }

        await using (timeoutSource.Token.Register(() => _ = KillSessionAsync(pid, exited.Task)))
        {
            var code = await exited.Task.ConfigureAwait(false);
            if (timeoutSource.IsCancellationRequested)
            {
                throw cancellationToken.IsCancellationRequested
                    ? new OperationCanceledException(cancellationToken)
                    : new BuildFailedException($"{Path.GetFileName(tool)} took longer than {Aisbx.Core.Units.DurationText.Format(timeout)} and was stopped: raise [rootfs] build_timeout in config.toml, or build a smaller tree");
            }

            lock (tail)
            {
                return (code, tail.ToArray());
            }
        }
    }

    private static void FeedStdin(Process process, string path)
    {
        // Taken now: the starting thread disposes the Process (and with it this stream) once the tool has exited.
        var stdin = process.StandardInput.BaseStream;

        // Opened by aisbx, so a tool running as another uid reads what it could not open itself.
        _ = Task.Run(async () =>
        {
            try
            {
                await using var source = File.OpenRead(path);
                await source.CopyToAsync(stdin).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException)
            {
                // The tool stopped reading, or has exited; its exit code says why.
            }
            finally
            {
                try
                {
                    stdin.Close();
                }
                catch (Exception ex) when (ex is IOException or ObjectDisposedException)
                {
                }
            }
        });
    }

    private static async Task KillSessionAsync(int pid, Task exited)
    {
        Interop.Interop.KillPid(-pid, SigTerm);
        if (await Task.WhenAny(exited, Task.Delay(TermGrace)).ConfigureAwait(false) != exited)
        {
            Interop.Interop.KillPid(-pid, Interop.Interop.SIGKILL);
        }
    }

    private static string FindSetsid() =>
        SetsidPaths.FirstOrDefault(File.Exists)
        ?? throw new SandboxUnavailableException("setsid is not installed, and a build needs it: install it with 'apt-get install util-linux'");
}

/// <summary>A build could not make its tree; the message says what failed and what to do.</summary>
public sealed class BuildFailedException(string message) : AisbxException(message);
