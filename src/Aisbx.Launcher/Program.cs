namespace Aisbx.Launcher;

/// <summary>
/// <c>aisbx-launch PAYLOAD_FD SOCKET_FD PROGRAM [ARG...]</c>, run by bubblewrap as the sandbox's first program:
/// reads the payload (the compiled syscall filter and the program's environment), installs the filter with a
/// notification listener, hands the listener to aisbx over the socket, and execs the program with exactly that
/// environment. If any step fails, the program never starts: there is no way on without the filter.
/// <c>aisbx-launch --agent PAYLOAD_FD SOCKET_FD</c> starts a live sandbox's agent instead (<see cref="SandboxAgent"/>),
/// and <c>aisbx-launch --extract ...</c>, on the host as the build uid, unpacks an image (<see cref="Extract.ExtractMode"/>).
/// </summary>
internal static class Program
{
    private const int StartFailed = 125;

    private static int Main(string[] args)
    {
        try
        {
            return Launch(args);
        }
        catch (Exception ex)
        {
            // Nothing was exec'd: say what went wrong in one line, never with a stack trace.
            return Report.Fail(StartFailed, $"aisbx-launch: {ex.Message}");
        }
    }

    private static int Launch(string[] args)
    {
        if (args is ["--extract", ..])
        {
            return Extract.ExtractMode.Run(args);
        }

        if (args is ["--agent", var agentPayload, var agentSocket] && int.TryParse(agentPayload, out var agentPayloadFd) && int.TryParse(agentSocket, out var agentSocketFd))
        {
            if (LaunchPayload.Read(agentPayloadFd) is not { } agentLaunch)
            {
                return Report.Fail(StartFailed, "aisbx-launch: the launch payload from aisbx is missing or malformed");
            }

            // Set before the agent starts anything: every program of the live sandbox inherits them.
            return agentLaunch.Rlimits.Apply() is var agentRefused and not 0
                ? RlimitsRefused(agentRefused)
                : new SandboxAgent(agentSocketFd).Run(agentLaunch.Filter, EgressListeners.Open(agentLaunch.EgressPorts));
        }

        if (args.Length < 3 || !int.TryParse(args[0], out var payloadFd) || !int.TryParse(args[1], out var socketFd))
        {
            return Report.Fail(StartFailed, "aisbx-launch: started by aisbx inside a sandbox, as: aisbx-launch PAYLOAD_FD SOCKET_FD PROGRAM [ARG...]");
        }

        if (LaunchPayload.Read(payloadFd) is not { } payload)
        {
            return Report.Fail(StartFailed, "aisbx-launch: the launch payload from aisbx is missing or malformed");
        }

        // Everything the exec needs is built before the filter goes in, so that afterwards only the hand-off and
        // execve remain.
        using var exec = ProgramExec.Prepare(args[2], args.AsSpan(2), payload.Environment);
        var egress = EgressListeners.Open(payload.EgressPorts);

        var listener = SyscallFilter.InstallWithListener(payload.Filter, out var error);
        if (listener < 0)
        {
            return Report.Fail(StartFailed, $"aisbx-launch: the kernel refused the syscall filter (errno {error}); seccomp user notification needs Linux 5.0 or later");
        }

        if (!ListenerHandOff.Send(socketFd, listener, egress, out error))
        {
            Native.Close(listener); // As the agent's: nobody is left to answer it.
            return Report.Fail(StartFailed, $"aisbx-launch: could not hand the violation listener to aisbx (errno {error})");
        }

        Native.Close(listener);
        Array.ForEach(egress, Native.Close);
        Native.Close(socketFd);
        // Last, with only the program's descriptors left open: the program inherits them through execve.
        return payload.Rlimits.Apply() is var refused and not 0 ? RlimitsRefused(refused) : exec.Run();
    }

    private static int RlimitsRefused(int error) =>
        Report.Fail(StartFailed, $"aisbx-launch: the kernel refused the sandbox's rlimits (errno {error}); nothing was started");
}
