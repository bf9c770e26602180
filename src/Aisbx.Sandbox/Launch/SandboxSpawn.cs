using Aisbx.Sandbox.Bubblewrap;
using Aisbx.Sandbox.Host;
using Aisbx.Sandbox.Limits;
using Aisbx.Sandbox.Seccomp;
using Microsoft.Win32.SafeHandles;

namespace Aisbx.Sandbox.Launch;

/// <summary>
/// bubblewrap started for a plan (as the unprivileged uid when aisbx is root), with aisbx's ends of everything
/// it was given: stdin, stdout, stderr, bubblewrap's status, the cgroup's release and the launcher's socket. The
/// child's ends are closed here once it has its copies, so that each pipe reaches end of file when it should.
/// </summary>
internal sealed class SandboxSpawn : IDisposable
{
    /// <summary>Host tools run with no environment at all: nothing the caller sets (LD_PRELOAD) may reach them.</summary>
    private static readonly KeyValuePair<string, string>[] HostEnvironment = [];

    private SandboxSpawn(NativeProcess process, PipePair stdin, PipePair stdout, PipePair stderr, PipePair status, PipePair block, SocketPair handOff)
    {
        Process = process;
        StdinPipe = stdin;
        StdoutPipe = stdout;
        StderrPipe = stderr;
        StatusPipe = status;
        BlockPipe = block;
        HandOff = handOff;
    }

    public NativeProcess Process { get; }

    public PipePair StdinPipe { get; }

    public PipePair StdoutPipe { get; }

    public PipePair StderrPipe { get; }

    public PipePair StatusPipe { get; }

    /// <summary>Written once the sandbox's init is in its cgroup (when there is one).</summary>
    public PipePair BlockPipe { get; }

    /// <summary>The launcher's socket: the listener hand-off, and for an agent every frame after it.</summary>
    public SocketPair HandOff { get; }

    public static SandboxSpawn Start(LaunchPlan plan, Workspace? workspace, SandboxCgroup? cgroup, IReadOnlyList<KeyValuePair<string, string>> programEnvironment)
    {
        var invocation = BwrapCommandLine.Build(plan, blockUntilPlaced: cgroup is not null);
        var (executable, argv) = LaunchCommandLine.Build(invocation);

        var blockPipe = PipePair.Create();
        var stdoutPipe = PipePair.Create();
        var stderrPipe = PipePair.Create();
        var statusPipe = PipePair.Create();
        var stdinPipe = PipePair.Create();
        var handOff = SocketPair.Create();
        var dataFiles = invocation.DataFiles.Select(d => (d.Fd, Handle: MemoryFile.Create("aisbx-data", d.Content))).ToList();
        var payload = LaunchPayload.Encode(SeccompProgram.For(plan.ProfileName, plan.Syscalls), programEnvironment, plan.EgressPorts, SandboxRlimits.For(plan.Limits));
        dataFiles.Add((BwrapCommandLine.PayloadFd, MemoryFile.Create("aisbx-launch", payload)));

        try
        {
            List<(int, int)> fds =
            [
                (SandboxExecution.Fd(stdinPipe.Read), 0), (SandboxExecution.Fd(stdoutPipe.Write), 1), (SandboxExecution.Fd(stderrPipe.Write), 2),
                (SandboxExecution.Fd(statusPipe.Write), BwrapCommandLine.StatusFd),
                .. workspace is null ? [] : new[] { (SandboxExecution.Fd(workspace.Handle), BwrapCommandLine.WorkspaceFd) },
                (SandboxExecution.Fd(handOff.Theirs), BwrapCommandLine.HandOffFd),
                .. dataFiles.Select(d => (SandboxExecution.Fd(d.Handle), d.Fd)),
                .. cgroup is null ? [] : new[] { (SandboxExecution.Fd(blockPipe.Read), BwrapCommandLine.BlockFd) },
            ];
            var process = NativeProcess.Start(executable, argv, HostEnvironment, fds, plan.RunAs);
            return new SandboxSpawn(process, stdinPipe, stdoutPipe, stderrPipe, statusPipe, blockPipe, handOff);
        }
        catch
        {
            stdinPipe.Dispose();
            stdoutPipe.Dispose();
            stderrPipe.Dispose();
            statusPipe.Dispose();
            blockPipe.Dispose();
            handOff.Dispose();
            throw;
        }
        finally
        {
            // The child has its copies now; ours of its ends must go, or the pipes never reach end of file.
            stdoutPipe.Write.Dispose();
            stderrPipe.Write.Dispose();
            statusPipe.Write.Dispose();
            stdinPipe.Read.Dispose();
            blockPipe.Read.Dispose();
            handOff.Theirs.Dispose();
            dataFiles.ForEach(d => d.Handle.Dispose());
        }
    }

    public void Dispose()
    {
        Process.Dispose();
        StdinPipe.Dispose();
        StdoutPipe.Dispose();
        StderrPipe.Dispose();
        StatusPipe.Dispose();
        BlockPipe.Dispose();
        HandOff.Dispose();
    }
}
