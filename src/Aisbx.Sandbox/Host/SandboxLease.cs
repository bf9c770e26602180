using System.Globalization;
using Aisbx.Core.Configuration;

namespace Aisbx.Sandbox.Host;

/// <summary>
/// Who owns a sandbox while it runs: a file <c>sbx-….owner</c> beside the fresh workspaces, out of every sandbox's
/// reach, that names the aisbx process (pid and start time, so that a reused pid is not taken for the owner). It is
/// written before the workspace and the cgroup exist and removed after both are gone, so that whatever a killed
/// aisbx left can be told from what a live one is still using (<see cref="LeftoverSweep"/>).
/// </summary>
internal sealed class SandboxLease : IDisposable
{
    public const string Suffix = ".owner";

    private readonly string _path;

    private SandboxLease(string path, string workspaceBase)
    {
        _path = path;
        WorkspaceBase = workspaceBase;
    }

    /// <summary>The base of fresh workspaces, checked to be a private directory of this user when the lease was taken.</summary>
    public string WorkspaceBase { get; }

    public static SandboxLease Take(AisbxConfig config, string sandboxId)
    {
        var workspaceBase = Workspace.EnsureBase(config.WorkspaceBase);
        var path = PathFor(workspaceBase, sandboxId);
        File.WriteAllText(path, ProcessStamp.OfSelf());
        return new SandboxLease(path, workspaceBase);
    }

    public static string PathFor(string workspaceBase, string sandboxId) => Path.Combine(workspaceBase, sandboxId + Suffix);

    /// <summary>Whether the process a lease names is still the one that wrote it.</summary>
    public static bool OwnerAlive(string leasePath)
    {
        try
        {
            return ProcessStamp.IsAlive(File.ReadAllText(leasePath));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        try
        {
            File.Delete(_path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Left for the next sweep, which finds its owner gone.
        }
    }
}

/// <summary>A process named so that a reused pid does not pass for it: <c>PID STARTTIME</c> (clock ticks after boot, /proc/PID/stat field 22).</summary>
public static class ProcessStamp
{
    public static string OfSelf() => $"{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)} {StartTime(Environment.ProcessId)}";

    public static bool IsAlive(string stamp)
    {
        var parts = stamp.Trim().Split(' ');
        return parts.Length == 2 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            && StartTime(pid) is { } started && started == parts[1];
    }

    private static string? StartTime(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
            // The command name (field 2) is in parentheses and may hold spaces: count fields after its closing one.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return fields.Length > 19 ? fields[19] : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
