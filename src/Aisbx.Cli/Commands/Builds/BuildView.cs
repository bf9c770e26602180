using Aisbx.Sandbox.Rootfs;

namespace Aisbx.Cli.Commands.Builds;

/// <summary>How <c>aisbx build</c> shows a build while it runs: a progress bar on a terminal, plain lines otherwise, nothing for <c>--json</c>.</summary>
internal abstract class BuildView
{
    /// <summary>Runs <paramref name="build"/> for <paramref name="profile"/>, showing its progress until it ends (or throws).</summary>
    public abstract Task<BuildOutcome> ShowAsync(string profile, Func<IProgress<BuildProgress>, Task<BuildOutcome>> build);

    public static BuildView For(bool json) =>
        json ? new Quiet()
        : Console.IsOutputRedirected ? new BuildProgressLines(Console.Out)
        : new BuildProgressBar();

    /// <summary>The words every view uses for where a build is: <c>downloading 12/40 packages, 3.1 MiB</c>.</summary>
    public static string Describe(BuildProgress progress)
    {
        var counts = progress.Total > 0 ? $" {progress.Done}/{progress.Total} packages" : "";
        var bytes = progress.Bytes > 0 ? $"{(counts.Length > 0 ? "," : "")} {Core.Units.ByteCount.Human(progress.Bytes)}" : "";
        return progress.Phase + counts + bytes;
    }

    private sealed class Quiet : BuildView
    {
        public override Task<BuildOutcome> ShowAsync(string profile, Func<IProgress<BuildProgress>, Task<BuildOutcome>> build) => build(new Progress<BuildProgress>());
    }
}
