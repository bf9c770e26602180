using Aisbx.Sandbox.Rootfs;

namespace Aisbx.Cli.Commands.Builds;

/// <summary>
/// Where stdout is no terminal (a log, a pipe, CI): a plain line at each new phase and every
/// <see cref="PackagesPerLine"/> packages, <c>python-dev: downloading 10/40 packages, 12.3 MiB</c>; no escape codes.
/// </summary>
internal sealed class BuildProgressLines(TextWriter output) : BuildView
{
    public const int PackagesPerLine = 10;

    public override Task<BuildOutcome> ShowAsync(string profile, Func<IProgress<BuildProgress>, Task<BuildOutcome>> build) =>
        build(new Lines(profile, output));

    /// <summary>
    /// Writes on the builder's threads, in order (<see cref="Progress{T}"/> would post each report to the pool); the
    /// builder reports from the reader of each of the tool's streams, hence the lock.
    /// </summary>
    private sealed class Lines(string profile, TextWriter output) : IProgress<BuildProgress>
    {
        private readonly Lock _gate = new();
        private string? _phase;
        private int _printedDone;

        public void Report(BuildProgress value)
        {
            lock (_gate)
            {
                Print(value);
            }
        }

        private void Print(BuildProgress value)
        {
            if (value.Phase != _phase)
            {
                _phase = value.Phase;
                _printedDone = value.Done;
            }
            else if (value.Done - _printedDone >= PackagesPerLine || (value.Total > 0 && value.Done == value.Total && _printedDone != value.Done))
            {
                _printedDone = value.Done;
            }
            else
            {
                return;
            }

            output.WriteLine($"{profile}: {Describe(value)}");
            output.Flush();
        }
    }
}
