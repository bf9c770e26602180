using System.Globalization;
using Aisbx.Core;
using Aisbx.Core.Profiles;

namespace Aisbx.Sandbox.Limits;

/// <summary>
/// The cgroup of one sandbox: its memory limit (no swap beyond it) and its process limit, how much memory it used
/// at most, whether either limit was hit, and the CPU time of all its processes together. Removed on dispose.
/// </summary>
internal sealed class SandboxCgroup : IDisposable
{
    /// <summary>bubblewrap's init (pid 1 of the sandbox) counts as one process on top of the program's own.</summary>
    private const int InitProcesses = 1;

    private readonly CgroupMode _mode;
    private readonly string[] _directories;
    private long _memoryBytes;
    private int _pids;

    private SandboxCgroup(CgroupMode mode, string[] directories)
    {
        _mode = mode;
        _directories = directories;
    }

    public static SandboxCgroup? Create(string sandboxId, ResourceLimits limits)
    {
        var mode = CgroupHost.Mode;
        if (mode == CgroupMode.None)
        {
            return null;
        }

        string[] directories = [.. CgroupHost.ParentDirectories().Select(parent => Path.Combine(parent, sandboxId))];
        var cgroup = new SandboxCgroup(mode, directories);
        try
        {
            foreach (var directory in directories)
            {
                Directory.CreateDirectory(directory);
            }

            if (mode == CgroupMode.V2)
            {
                cgroup.TryWrite(0, "memory.swap.max", "0");
            }

            cgroup.WriteMemory(limits.MemoryBytes);
            cgroup.WritePids(limits.Pids);
            return cgroup;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            cgroup.Dispose();
            throw new SandboxStartException($"cannot make the sandbox's cgroup ({ex.Message}); run 'aisbx doctor'");
        }
    }

    /// <summary>
    /// Lowers the limits of a group made ahead for the profile (a warm pool's sandbox) to a run's, before its program
    /// starts. Memory first, while almost nothing is charged, so that the kernel accepts the lower limit at once.
    /// </summary>
    public void Lower(ResourceLimits limits)
    {
        if (limits.MemoryBytes < _memoryBytes)
        {
            WriteMemory(limits.MemoryBytes);
        }

        if (limits.Pids < _pids)
        {
            WritePids(limits.Pids);
        }
    }

    /// <summary>Moves a process (and so everything it starts from then on) into the sandbox's cgroup.</summary>
    public void Add(int pid)
    {
        var text = pid.ToString(CultureInfo.InvariantCulture);
        for (var i = 0; i < _directories.Length; i++)
        {
            Write(i, "cgroup.procs", text);
        }
    }

    public bool MemoryLimitHit => OomKills > 0;

    public bool PidsLimitHit => PidsRefusals > 0;

    /// <summary>Processes the kernel killed for the memory limit so far.</summary>
    public long OomKills => Counter(0, _mode == CgroupMode.V2 ? "memory.events" : "memory.oom_control", "oom_kill");

    /// <summary>Forks refused for the process limit so far.</summary>
    public long PidsRefusals => Counter(_mode == CgroupMode.V2 ? 0 : 1, "pids.events", "max");

    /// <summary>The memory the group holds now (processes and the tmpfs pages they wrote).</summary>
    public long? MemoryBytes => ReadNumber(0, _mode == CgroupMode.V2 ? "memory.current" : "memory.usage_in_bytes");

    /// <summary>Whether the group counts the CPU time of its processes (v2 always; v1 with a cpuacct hierarchy).</summary>
    public bool CountsCpu => _mode == CgroupMode.V2 || _directories.Length > 2;

    /// <summary>CPU time used by every process of the sandbox so far; null where the host keeps no such count.</summary>
    public TimeSpan? CpuUsage
    {
        get
        {
            if (_mode == CgroupMode.V2)
            {
                var micros = Counter(0, "cpu.stat", "usage_usec");
                return TimeSpan.FromMicroseconds(micros);
            }

            return _directories.Length > 2 && ReadNumber(2, "cpuacct.usage") is { } nanos ? TimeSpan.FromTicks(nanos / 100) : null;
        }
    }

    public long? PeakMemoryBytes =>
        ReadNumber(0, _mode == CgroupMode.V2 ? "memory.peak" : "memory.max_usage_in_bytes");

    /// <summary>After bubblewrap is gone (or never started): what is still in the group is killed, then the group removed.</summary>
    public void Dispose()
    {
        // The last processes of the sandbox leave the group as they are reaped, a moment after bubblewrap exits
        // (longer after an OOM kill or a fork storm): retry, yielding for the first millisecond, then sleeping a
        // millisecond at a time (a stuck sandbox never leaves), for up to 2 s. Yielding longer burnt up to 50 ms of
        // CPU in one run of ten, on a busy host, taking the CPU from the very processes that had to exit. From the
        // first sleep on, members are killed: an init that outlived bubblewrap (its parent-death signal missed, seen
        // once under load with a background program still running) would otherwise stay, limits and all.
        var sleepFrom = Environment.TickCount64 + 1;
        var giveUp = Environment.TickCount64 + 2000;
        foreach (var directory in _directories)
        {
            while (true)
            {
                try
                {
                    Directory.Delete(directory);
                    break;
                }
                catch (DirectoryNotFoundException)
                {
                    break;
                }
                catch (IOException) when (Environment.TickCount64 < giveUp)
                {
                    if (Environment.TickCount64 < sleepFrom)
                    {
                        Thread.Yield();
                    }
                    else
                    {
                        CgroupMembers.Kill(directory);
                        Thread.Sleep(1);
                    }
                }
                catch (IOException)
                {
                    break; // Still busy: leave the group rather than fail a run that is over.
                }
            }
        }
    }

    private void WriteMemory(long bytes)
    {
        var memory = bytes.ToString(CultureInfo.InvariantCulture);
        if (_mode == CgroupMode.V2)
        {
            Write(0, "memory.max", memory);
        }
        else
        {
            // v1 refuses a memsw limit below the memory limit: lowering, memory goes first; raising never happens.
            Write(0, "memory.limit_in_bytes", memory);
            TryWrite(0, "memory.memsw.limit_in_bytes", memory);
        }

        _memoryBytes = bytes;
    }

    private void WritePids(int pids)
    {
        Write(_mode == CgroupMode.V2 ? 0 : 1, "pids.max", (pids + InitProcesses).ToString(CultureInfo.InvariantCulture));
        _pids = pids;
    }

    private void Write(int index, string file, string value) => File.WriteAllText(Path.Combine(_directories[index], file), value);

    private void TryWrite(int index, string file, string value)
    {
        try
        {
            Write(index, file, value);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Optional knob (swap accounting may be off): the memory limit itself still holds.
        }
    }

    private long Counter(int index, string file, string key)
    {
        try
        {
            foreach (var line in File.ReadLines(Path.Combine(_directories[index], file)))
            {
                var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length == 2 && parts[0] == key && long.TryParse(parts[1], CultureInfo.InvariantCulture, out var value))
                {
                    return value;
                }
            }
        }
        catch (IOException)
        {
        }

        return 0;
    }

    private long? ReadNumber(int index, string file)
    {
        try
        {
            return long.TryParse(File.ReadAllText(Path.Combine(_directories[index], file)).Trim(), CultureInfo.InvariantCulture, out var value) ? value : null;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
