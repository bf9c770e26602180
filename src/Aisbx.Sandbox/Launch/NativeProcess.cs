using System.ComponentModel;
using System.Runtime.InteropServices;
using Aisbx.Sandbox.Bubblewrap;
using static Aisbx.Sandbox.Interop.Interop;

namespace Aisbx.Sandbox.Launch;

/// <summary>
/// A child started with posix_spawn, with exactly the descriptors it is given and nothing else: .NET's Process class
/// cannot hand extra descriptors to a child, nor close the ones it does not own. A child that cannot be started is
/// a <see cref="SandboxStartException"/> with one line that says why.
/// </summary>
internal sealed class NativeProcess : IDisposable
{
    private const int HighFdBase = 100;

    private readonly int _pidfd;
    private int _exited;
    private long _killedAt;

    private NativeProcess(int pid, int pidfd)
    {
        Pid = pid;
        _pidfd = pidfd;
    }

    public int Pid { get; }

    /// <param name="fds">Parent descriptor → number it gets in the child. Every other descriptor is closed in the child.</param>
    /// <param name="runAs">The unprivileged ids a root aisbx starts the child as (<see cref="UnprivilegedSpawnScope"/>); null keeps aisbx's own.</param>
    /// <remarks>
    /// bubblewrap's <c>--die-with-parent</c> is PR_SET_PDEATHSIG, which fires when the <em>thread</em> that spawned the
    /// child exits: call this from a thread that lives until the child is reaped (the supervisor's own thread).
    /// </remarks>
    public static NativeProcess Start(string executable, IReadOnlyList<string> argv, IReadOnlyList<KeyValuePair<string, string>> env, IReadOnlyList<(int ParentFd, int ChildFd)> fds, HostIdentity? runAs = null) =>
        Spawn(executable, argv, env, fds, runAs);

    /// <summary>Becomes readable when the child exits.</summary>
    public int ExitDescriptor => _pidfd;

    /// <summary>When aisbx first killed the child (a <see cref="System.Diagnostics.Stopwatch"/> timestamp); null until then.</summary>
    public long? KilledAt => Volatile.Read(ref _killedAt) is var killedAt and not 0 ? killedAt : null;

    /// <summary>Sends SIGKILL through the pidfd: it can never reach another process that reused the pid.</summary>
    public void Kill()
    {
        if (Volatile.Read(ref _exited) == 0)
        {
            _ = Interlocked.CompareExchange(ref _killedAt, System.Diagnostics.Stopwatch.GetTimestamp(), 0);
            _ = PidfdSendSignal(_pidfd, SIGKILL);
            _ = KillPid(-Pid, SIGKILL); // Its group as well, at once: aisbx may be on its way out before it reaps (see WaitForExit).
        }
    }

    public void Dispose()
    {
        if (_pidfd >= 0)
        {
            _ = Close(_pidfd);
        }
    }

    /// <summary>Reaps the child; blocks until it exits.</summary>
    public ChildExit WaitForExit()
    {
        int result, status;
        Rusage usage;
        do
        {
            result = Wait4(Pid, out status, 0, out usage);
        }
        while (result < 0 && Marshal.GetLastPInvokeError() == EINTR);

        Volatile.Write(ref _exited, 1);
        if (result < 0)
        {
            throw new Win32Exception(Marshal.GetLastPInvokeError(), "wait4 failed");
        }

        // Whatever is left of its group. bubblewrap's init stays in it until it is released into its cgroup (setsid
        // comes after --block-fd), and it has no parent-death signal before then: an init whose bubblewrap died
        // first (killed, or SIGPIPE on a status pipe nobody reads) would wait on bubblewrap's eventfd for good.
        // The id is this group's still: a pid is not reused while a group of that number has members.
        _ = KillPid(-Pid, SIGKILL);

        var cpu = usage.UserTime.TotalMilliseconds + usage.SystemTime.TotalMilliseconds;
        var termSignal = status & 0x7f;
        return termSignal == 0
            ? new ChildExit((status >> 8) & 0xff, null, cpu)
            : new ChildExit(null, termSignal, cpu);
    }

    private static unsafe NativeProcess Spawn(string executable, IReadOnlyList<string> argv, IReadOnlyList<KeyValuePair<string, string>> env, IReadOnlyList<(int ParentFd, int ChildFd)> fds, HostIdentity? runAs)
    {
        var fileActions = NativeMemory.AllocZeroed(PosixSpawnFileActionsSize);
        var attributes = NativeMemory.AllocZeroed(PosixSpawnAttrSize);
        var signals = NativeMemory.AllocZeroed(SigsetSize);
        var nativeArgv = NativeStringArray.Create(argv);
        var nativeEnv = NativeStringArray.Create(env.Select(e => $"{e.Key}={e.Value}"));
        var moved = new List<int>(fds.Count);
        try
        {
            Check(PosixSpawnFileActionsInit(fileActions), "posix_spawn_file_actions_init");
            Check(PosixSpawnAttrInit(attributes), "posix_spawnattr_init");

            // Lift every source above the target range first, so that no dup2 overwrites a source still to be placed.
            var highest = 2;
            foreach (var (parentFd, childFd) in fds)
            {
                var high = Fcntl(parentFd, F_DUPFD_CLOEXEC, HighFdBase);
                if (high < 0)
                {
                    throw SpawnFailure.Preparing(Marshal.GetLastPInvokeError(), "duplicating a descriptor");
                }

                moved.Add(high);
                Check(PosixSpawnFileActionsAddDup2(fileActions, high, childFd), "posix_spawn_file_actions_adddup2");
                highest = Math.Max(highest, childFd);
            }

            Check(PosixSpawnFileActionsAddCloseFrom(fileActions, highest + 1), "posix_spawn_file_actions_addclosefrom_np");

            // The runtime ignores SIGPIPE and may block signals: give the child the defaults and an empty mask.
            _ = SigEmptySet(signals);
            Check(PosixSpawnAttrSetSigMask(attributes, signals), "posix_spawnattr_setsigmask");
            _ = SigFillSet(signals);
            _ = SigDelSet(signals, SIGKILL);
            _ = SigDelSet(signals, SIGSTOP);
            Check(PosixSpawnAttrSetSigDefault(attributes, signals), "posix_spawnattr_setsigdefault");
            // A process group of its own (see WaitForExit), whose id is the child's pid.
            var flags = POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP | (runAs is null ? 0 : POSIX_SPAWN_RESETIDS);
            Check(PosixSpawnAttrSetFlags(attributes, (short)flags), "posix_spawnattr_setflags");

            int pid, spawnError;
            fixed (nint* argvPointer = nativeArgv.Pointers)
            fixed (nint* envPointer = nativeEnv.Pointers)
            {
                // Nothing else runs on this thread while it holds the sandbox's ids: only the spawn.
                using var identity = UnprivilegedSpawnScope.Enter(runAs);
                spawnError = PosixSpawn(out pid, executable, fileActions, attributes, argvPointer, envPointer);
            }

            if (spawnError != 0)
            {
                throw SpawnFailure.Of(spawnError, executable, argv, env);
            }

            var pidfd = PidfdOpen(pid);
            if (pidfd < 0)
            {
                var error = Marshal.GetLastPInvokeError();
                _ = KillPid(pid, SIGKILL);
                _ = Wait4(pid, out _, 0, out _);
                throw new SandboxStartException($"the sandbox could not start: pidfd_open failed ({Marshal.GetPInvokeErrorMessage(error)}); aisbx needs Linux 5.3 or later");
            }

            return new NativeProcess(pid, pidfd);
        }
        finally
        {
            foreach (var fd in moved)
            {
                _ = Close(fd);
            }

            _ = PosixSpawnFileActionsDestroy(fileActions);
            _ = PosixSpawnAttrDestroy(attributes);
            NativeMemory.Free(fileActions);
            NativeMemory.Free(attributes);
            NativeMemory.Free(signals);
            nativeArgv.Dispose();
            nativeEnv.Dispose();
        }
    }

    private static void Check(int error, string what)
    {
        if (error != 0)
        {
            throw SpawnFailure.Preparing(error, what);
        }
    }
}
