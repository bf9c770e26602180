namespace Aisbx.Launcher;

/// <summary>
/// The first process of a live sandbox (<c>aisbx-launch --agent</c>). It installs the profile's syscall filter on
/// itself, hands the listener to aisbx once, and then, until aisbx closes the control socket, starts each program
/// aisbx asks for (inheriting the filter), signals their process groups, reaps them and reports their exits, and
/// does file operations with the program's own rights. It never reads a program's output: the pipes go straight
/// from aisbx to the program.
/// </summary>
internal sealed unsafe class SandboxAgent(int socket)
{
    private const int SIGPIPE = 13;
    private const int SIGXFSZ = 25;

    private readonly List<Child> _children = [];
    private int _workspace = -1;

    private sealed record Child(uint Id, int Pid, int Pidfd);

    /// <param name="egress">The proxy's listening ports, handed to aisbx with the filter's listener.</param>
    public int Run(byte[] filter, int[] egress)
    {
        // Programs run as the same uid: non-dumpable, the agent's memory and descriptors are out of their reach
        // through /proc even where ptrace is not refused.
        _ = Native.Prctl(Native.PR_SET_DUMPABLE, 0, 0, 0, 0);
        // A write past RLIMIT_FSIZE, or to a reader that left, must fail with an error here, not end the agent.
        _ = Native.Signal(SIGPIPE, 1);
        _ = Native.Signal(SIGXFSZ, 1);
        using (var strings = new NativeStrings())
        {
            _workspace = Native.OpenAt(-100, strings.Utf8("/workspace"), Native.O_PATH | Native.O_DIRECTORY | Native.O_CLOEXEC, 0);
        }

        var listener = SyscallFilter.InstallWithListener(filter, out var error);
        if (listener < 0)
        {
            return Report.Fail(125, $"aisbx-launch: the kernel refused the syscall filter (errno {error}); seccomp user notification needs Linux 5.0 or later");
        }

        if (!ControlSocket.Send(socket, new AgentMessage(AgentMessage.Ready, 0, 0, 0, 0, 0), [listener, .. egress]))
        {
            // aisbx is gone. Nobody will ever answer this thread's notifications, so the listener goes first: held,
            // the first refused call of the way out would wait on it forever, and so would the sandbox's init.
            Native.Close(listener);
            return 125;
        }

        Native.Close(listener);
        Array.ForEach(egress, Native.Close);
        return Serve();
    }

    private int Serve()
    {
        Span<int> received = stackalloc int[ControlSocket.MaxDescriptors];
        while (true)
        {
            var slots = new Native.PollFd[_children.Count + 1];
            slots[0] = new Native.PollFd { Fd = socket, Events = Native.POLLIN };
            for (var i = 0; i < _children.Count; i++)
            {
                slots[i + 1] = new Native.PollFd { Fd = _children[i].Pidfd, Events = Native.POLLIN };
            }

            int ready;
            fixed (Native.PollFd* pointer = slots)
            {
                ready = Native.Poll(pointer, (nuint)slots.Length, -1);
            }

            if (ready < 0)
            {
                if (Native.LastError == Native.EINTR)
                {
                    continue;
                }

                return 125;
            }

            for (var i = slots.Length - 1; i >= 1; i--)
            {
                if (slots[i].Revents != 0)
                {
                    Reap(_children[i - 1]);
                }
            }

            if (slots[0].Revents != 0)
            {
                if (!ControlSocket.Receive(socket, out var message, received, out var count))
                {
                    return 0; // aisbx closed the sandbox.
                }

                try
                {
                    Handle(message, received[..count]);
                }
                finally
                {
                    foreach (var fd in received[..count])
                    {
                        Native.Close(fd);
                    }
                }
            }
        }
    }

    private void Handle(AgentMessage message, ReadOnlySpan<int> fds)
    {
        switch (message.Type)
        {
            case AgentMessage.Exec when fds.Length == 4:
                Start(message.Id, fds);
                break;
            case AgentMessage.Signal:
                foreach (var child in _children)
                {
                    if (child.Id == message.Id)
                    {
                        _ = Native.Kill(-child.Pid, message.A);
                        _ = Native.Kill(child.Pid, message.A);
                    }
                }

                break;
            case AgentMessage.File when message.A == AgentMessage.FileUsage:
                Reply(new AgentMessage(AgentMessage.FileDone, message.Id, 0, 0, WorkspaceBytesUsed(), 0));
                break;
            case AgentMessage.File when fds.Length >= 1:
                var error = FileOperations.Run(message.A, fds[0], fds.Length > 1 ? fds[1] : -1, out var bytes, out var flags);
                Reply(new AgentMessage(AgentMessage.FileDone, message.Id, error, 0, bytes, flags));
                break;
            default:
                Reply(new AgentMessage(AgentMessage.Failed, message.Id, 125, Native.EINVAL, 0, 0));
                break;
        }
    }

    private void Start(uint id, ReadOnlySpan<int> fds)
    {
        if (ExecRequest.Read(fds[0]) is not { } request)
        {
            Reply(new AgentMessage(AgentMessage.Failed, id, 125, Native.EINVAL, 0, 0));
            return;
        }

        int cwd;
        using (var strings = new NativeStrings())
        {
            cwd = Native.OpenAt(-100, strings.Utf8(request.WorkingDirectory), Native.O_PATH | Native.O_DIRECTORY | Native.O_CLOEXEC, 0);
        }

        if (cwd < 0)
        {
            Reply(new AgentMessage(AgentMessage.Failed, id, 125, Native.LastError, 0, 0));
            return;
        }

        Native.Close(cwd);
        var pid = ChildSpawner.Spawn(request, fds[1], fds[2], fds[3], out var exitCode, out var error);
        if (pid < 0)
        {
            Reply(new AgentMessage(AgentMessage.Failed, id, exitCode, error, 0, 0));
            return;
        }

        var pidfd = Native.PidfdOpen(pid);
        if (pidfd < 0)
        {
            _ = Native.Kill(pid, 9);
            Reply(new AgentMessage(AgentMessage.Failed, id, 125, Native.LastError, 0, 0));
            return;
        }

        _children.Add(new Child(id, pid, pidfd));
        Reply(new AgentMessage(AgentMessage.Started, id, pid, 0, 0, 0));
    }

    private void Reap(Child child)
    {
        int status;
        Native.Rusage usage;
        if (Native.Wait4(child.Pid, &status, Native.WNOHANG, &usage) != child.Pid)
        {
            return;
        }

        _children.Remove(child);
        Native.Close(child.Pidfd);
        var cpuMicros = ((usage.UserSeconds + usage.SystemSeconds) * 1_000_000) + usage.UserMicros + usage.SystemMicros;
        Reply(new AgentMessage(AgentMessage.Exited, child.Id, status, 0, (ulong)cpuMicros, WorkspaceBytesUsed()));
    }

    private ulong WorkspaceBytesUsed()
    {
        Native.StatVfs status;
        return _workspace >= 0 && Native.FStatVfs(_workspace, &status) == 0 ? (status.Blocks - status.BlocksFree) * status.FragmentSize : 0;
    }

    private void Reply(AgentMessage message) => ControlSocket.Send(socket, message);
}
