using System.Threading.Channels;
using Aisbx.Core.Units;
using Aisbx.Sandbox.Rootfs;

namespace Aisbx.Service.Builds;

/// <summary>
/// Hands a job's progress to one caller's reporter (MCP progress notifications) until the job ends, as steps whose
/// number only rises, as MCP requires: a new phase is one step; within a phase that counts packages, each package
/// done is one step, and the total is known to the end of that phase. The message says it all in words:
/// <c>downloading: 12/40 packages, 3.1 MiB</c>.
/// </summary>
internal sealed class BuildProgressForwarder(BuildJob job, IProgressReporter reporter)
{
    private readonly Channel<BuildProgress> _changes = Channel.CreateUnbounded<BuildProgress>(new UnboundedChannelOptions { SingleReader = true });
    private string? _phase;
    private int _phaseStart;
    private int _done = -1;
    private int _step = -1;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using (job.Subscribe(p => _changes.Writer.TryWrite(p)))
        {
            _ = job.Ended.ContinueWith(_ => _changes.Writer.TryComplete(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            await foreach (var progress in _changes.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                if (Next(progress) is { } step)
                {
                    await reporter.ReportAsync(step, cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }

    /// <summary>The step to report for this change, or null when it adds nothing a client would see (only more bytes).</summary>
    internal ProgressStep? Next(BuildProgress progress)
    {
        if (progress.Phase != _phase)
        {
            _phase = progress.Phase;
            _phaseStart = _step + 1;
            _done = progress.Done;
        }
        else if (progress.Done > _done)
        {
            _done = progress.Done;
        }
        else
        {
            return null;
        }

        _step = _phaseStart + Math.Max(0, _done);
        var total = progress.Total > 0 ? _phaseStart + progress.Total : 0;
        return new ProgressStep(_step, Math.Max(total, total > 0 ? _step : 0), Describe(progress));
    }

    public static string Describe(BuildProgress progress)
    {
        var parts = new List<string>(2);
        if (progress.Total > 0)
        {
            parts.Add($"{progress.Done}/{progress.Total} packages");
        }

        if (progress.Bytes > 0)
        {
            parts.Add(ByteSize.Format(progress.Bytes));
        }

        return parts.Count == 0 ? progress.Phase : $"{progress.Phase}: {string.Join(", ", parts)}";
    }
}
