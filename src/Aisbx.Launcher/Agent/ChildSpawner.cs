using System.Runtime.InteropServices;

namespace Aisbx.Launcher;

/// <summary>
/// Starts one program of a live sandbox with posix_spawn: in a session (and so a process group) of its own, with
/// the descriptors aisbx sent as 0, 1 and 2 and nothing else, default signals, an empty mask, its own working
/// directory and exactly its own environment. It inherits the agent's syscall filter.
/// </summary>
internal static unsafe class ChildSpawner
{
    private const int FileActionsSize = 256;
    private const int AttributesSize = 1024;
    private const int SigsetSize = 128;
    private const int SIGKILL = 9;
    private const int SIGSTOP = 19;

    /// <returns>The child's pid, or -1 with <paramref name="exitCode"/> (126/127) and <paramref name="error"/> set.</returns>
    public static int Spawn(ExecRequest request, int stdin, int stdout, int stderr, out int exitCode, out int error)
    {
        using var strings = new NativeStrings();
        var actions = NativeMemory.AllocZeroed(FileActionsSize);
        var attributes = NativeMemory.AllocZeroed(AttributesSize);
        var signals = NativeMemory.AllocZeroed(SigsetSize);
        try
        {
            _ = Native.FileActionsInit(actions);
            _ = Native.FileActionsAddDup2(actions, stdin, 0);
            _ = Native.FileActionsAddDup2(actions, stdout, 1);
            _ = Native.FileActionsAddDup2(actions, stderr, 2);
            _ = Native.FileActionsAddChdir(actions, strings.Utf8(request.WorkingDirectory));
            _ = Native.FileActionsAddCloseFrom(actions, 3);

            _ = Native.SpawnAttrInit(attributes);
            _ = Native.SigEmptySet(signals);
            _ = Native.SpawnAttrSetSigMask(attributes, signals);
            _ = Native.SigFillSet(signals);
            _ = Native.SigDelSet(signals, SIGKILL);
            _ = Native.SigDelSet(signals, SIGSTOP);
            _ = Native.SpawnAttrSetSigDefault(attributes, signals);
            _ = Native.SpawnAttrSetFlags(attributes, (short)(Native.POSIX_SPAWN_SETSIGDEF | Native.POSIX_SPAWN_SETSIGMASK | Native.POSIX_SPAWN_SETSID));

            var argv = strings.Vector(request.Argv);
            var environment = strings.Vector(request.Environment);
            error = Native.ENOENT;
            foreach (var candidate in ProgramExec.Candidates(request.Argv[0], request.Environment))
            {
                var path = strings.Utf8(candidate);
                int pid;
                var attempt = Native.PosixSpawn(&pid, path, actions, attributes, argv, environment);
                if (attempt == Native.ENOEXEC)
                {
                    // A script without a #! line: run it with the shell, as execvp does.
                    attempt = Native.PosixSpawn(&pid, strings.Utf8("/bin/sh"), actions, attributes, strings.Vector(["/bin/sh", candidate, .. request.Argv[1..]]), environment);
                }

                if (attempt == 0)
                {
                    exitCode = 0;
                    return pid;
                }

                if (attempt is not (Native.ENOENT or Native.ENOTDIR))
                {
                    error = attempt;
                }
            }

            exitCode = error == Native.ENOENT ? 127 : 126;
            var message = System.Text.Encoding.UTF8.GetBytes($"aisbx: cannot run '{request.Argv[0]}': {Marshal.GetPInvokeErrorMessage(error)}\n");
            _ = Native.WriteAll(stderr, message);
            return -1;
        }
        finally
        {
            _ = Native.FileActionsDestroy(actions);
            _ = Native.SpawnAttrDestroy(attributes);
            NativeMemory.Free(actions);
            NativeMemory.Free(attributes);
            NativeMemory.Free(signals);
        }
    }
}
