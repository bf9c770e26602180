namespace Aisbx.Service;

/// <summary>One step of a longer call, e.g. "compiling the syscall filter", 2 of 3.</summary>
public sealed record ProgressStep(int Done, int Total, string Message);

/// <summary>Where a surface sends a call's progress as it goes: MCP progress notifications, say.</summary>
public interface IProgressReporter
{
    ValueTask ReportAsync(ProgressStep progress, CancellationToken cancellationToken);
}
