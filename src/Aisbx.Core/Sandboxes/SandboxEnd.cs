namespace Aisbx.Core.Sandboxes;

/// <summary>Why a live sandbox ended: said, with the fix, to whoever uses its handle afterwards.</summary>
public enum SandboxEnd
{
    /// <summary>Its owner closed it.</summary>
    Closed,

    /// <summary>No call for its idle timeout.</summary>
    Idle,

    /// <summary>Its maximum lifetime passed.</summary>
    Lifetime,

    /// <summary>The server stopped (SIGTERM), or started again after it had been killed.</summary>
    ServerStopped,

    ServerRestarted,

    /// <summary>A program tried a syscall that the profile ends the sandbox for.</summary>
    Violation,

    /// <summary>The sandbox's processes together used up its CPU time.</summary>
    CpuTime,

    /// <summary>The sandbox's agent was killed for memory (the cgroup's OOM killer).</summary>
    Memory,

    /// <summary>The agent inside ended or broke the protocol.</summary>
    AgentFailed,
}

public static class SandboxEndText
{
    public static string Name(this SandboxEnd end) => end switch
    {
        SandboxEnd.Closed => "closed",
        SandboxEnd.Idle => "idle",
        SandboxEnd.Lifetime => "lifetime",
        SandboxEnd.ServerStopped => "server-stopped",
        SandboxEnd.ServerRestarted => "server-restarted",
        SandboxEnd.Violation => "violation",
        SandboxEnd.CpuTime => "cpu-time",
        SandboxEnd.Memory => "memory",
        _ => "agent-failed",
    };

    /// <summary>One line: why the sandbox ended, and the fix (a new one).</summary>
    public static string Describe(this SandboxEnd end, string sandboxId) => end switch
    {
        SandboxEnd.Closed => $"sandbox {sandboxId} was closed",
        SandboxEnd.Idle => $"sandbox {sandboxId} was closed after its idle timeout passed with no call",
        SandboxEnd.Lifetime => $"sandbox {sandboxId} reached its maximum lifetime",
        SandboxEnd.ServerStopped => $"sandbox {sandboxId} ended when the server stopped",
        SandboxEnd.ServerRestarted => $"sandbox {sandboxId} ended when the server was restarted",
        SandboxEnd.Violation => $"sandbox {sandboxId} was ended for a syscall its profile kills for",
        SandboxEnd.CpuTime => $"sandbox {sandboxId} used up its CPU time",
        SandboxEnd.Memory => $"sandbox {sandboxId} ran out of memory (its agent was killed)",
        _ => $"sandbox {sandboxId} ended: its agent stopped answering",
    } + ": create a new sandbox";
}
