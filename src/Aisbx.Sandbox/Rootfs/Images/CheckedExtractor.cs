using System.Globalization;
using Aisbx.Sandbox.Bubblewrap;
using Aisbx.Sandbox.Host;

namespace Aisbx.Sandbox.Rootfs.Images;

/// <summary>
/// The launcher's extract mode, run as the build uid in the tree: unpacking a flat tarball (fed on stdin, opened by
/// aisbx), or checking a tree umoci unpacked. Reads its answer lines (<c>neutralised:</c>, <c>size:</c>, <c>refused:</c>).
/// </summary>
internal sealed class CheckedExtractor(ImportDirectories directories, HostIdentity buildIdentity, ImportClock clock, long maxBytes, IProgress<BuildProgress>? progress)
{
    private const string NeutralisedPrefix = "neutralised: ";
    private const string RefusedPrefix = "refused: ";
    private const string SizePrefix = "size: ";

    public Task<ImportReport> ExtractAsync(string tarball, string image, CancellationToken cancellationToken) =>
        RunAsync(["--extract", Cap], tarball, "unpacking", image, cancellationToken);

    public Task<ImportReport> CheckAsync(string image, CancellationToken cancellationToken) =>
        RunAsync(["--extract", "--check", Cap], null, "checking", image, cancellationToken);

    private string Cap => maxBytes.ToString(CultureInfo.InvariantCulture);

    private async Task<ImportReport> RunAsync(IReadOnlyList<string> arguments, string? stdin, string phase, string image, CancellationToken cancellationToken)
    {
        progress?.Report(BuildProgress.Starting(phase));
        var neutralised = new List<string>();
        long? size = null;
        string? refusal = null;
        void Take(string line)
        {
            if (line.StartsWith(NeutralisedPrefix, StringComparison.Ordinal))
            {
                neutralised.Add(line[NeutralisedPrefix.Length..]);
                progress?.Report(new BuildProgress(phase, 0, 0, 0, line));
            }
            else if (line.StartsWith(RefusedPrefix, StringComparison.Ordinal))
            {
                refusal = line[RefusedPrefix.Length..];
            }
            else if (line.StartsWith(SizePrefix, StringComparison.Ordinal) && long.TryParse(line[SizePrefix.Length..], CultureInfo.InvariantCulture, out var bytes))
            {
                size = bytes;
            }
        }

        var options = new ToolProcess.Options { RunAs = buildIdentity, WorkingDirectory = directories.Tree, StdinFile = stdin };
        var (exitCode, tail) = await ToolProcess.RunAsync(HostTools.Launcher, arguments, options, Take, clock.Left, cancellationToken).ConfigureAwait(false);
        if (refusal is not null)
        {
            throw new BuildFailedException($"image {image} refused: {refusal}");
        }

        if (exitCode != 0 || size is null)
        {
            throw new BuildFailedException($"image {image} could not be unpacked: {ToolFailure.LastLine(tail, directories)}");
        }

        return new ImportReport(neutralised, size.Value);
    }
}
