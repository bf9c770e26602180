using System.Threading.Channels;
using Aisbx.Core.Units;
using Aisbx.Sandbox.Rootfs;

namespace Aisbx.Service.Builds;

/// <summary>
/// Hands a job's progress to one caller's reporter (MCP progress notifications) until the job ends, as steps whose
/// number only rises, as MCP requires: one step for each phase begun and one for each package set up, with a total
/// while the engine knows how many packages there are. The message says it in words:
/// <c>downloading: 12/40 packages, 3.1 MiB</c>. A change of bytes alone is not sent.
/// </summary>
internal sealed class BuildProgressForwarder(BuildJob job, IProgressReporter reporter)
{
    private readonly Channel<BuildProgress> _changes = Channel.CreateUnbounded<BuildProgress>(new UnboundedChannelOptions { SingleReader = true });
    private string? _phase;
    private int _phases;
    private int _done;
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

    /// <summary>The step to report for this change, or null when it adds nothing a client would see.</summary>
    internal ProgressStep? Next(BuildProgress progress)
    {
        if (progress.Phase != _phase)
        {
            _phase = progress.Phase;
            _phases++;
        }
        else if (progress.Done <= _done)
        {
            return null;
        }

        _done = Math.Max(_done, progress.Done);
        _step = Math.Max(_step + 1, _phases + _done);
        var total = progress.Total > 0 ? Math.Max(_step, _phases + progress.Total) : 0;
        return new ProgressStep(_step, total, Describe(progress));
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
            parts.Add(ByteCount.Human(progress.Bytes));
        }

        return parts.Count == 0 ? progress.Phase : $"{progress.Phase}: {string.Join(", ", parts)}";
    }
}
