namespace Aisbx.Service;

/// <summary>One step of a longer call, e.g. "downloading: 12/40 packages", step 12 of 40; a total of 0 is unknown.</summary>
public sealed record ProgressStep(int Done, int Total, string Message);

/// <summary>Where a surface sends a call's progress as it goes: MCP progress notifications, say.</summary>
public interface IProgressReporter
{
    ValueTask ReportAsync(ProgressStep progress, CancellationToken cancellationToken);
}
