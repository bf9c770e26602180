using Aisbx.Sandbox.Bubblewrap;

namespace Aisbx.Sandbox.Rootfs.Images;

/// <summary>
/// skopeo (any image to an OCI layout in the work directory) and umoci (that layout to the tree), each run as the
/// build uid with an empty environment (HOME and TMPDIR in the work directory) and the time left of the import.
/// </summary>
internal sealed class ImageTools(ImportDirectories directories, HostIdentity buildIdentity, ImportClock clock, IProgress<BuildProgress>? progress)
{
    private const string Skopeo = "/usr/bin/skopeo";
    private const string Umoci = "/usr/bin/umoci";

    /// <summary>The OCI layout skopeo writes and umoci reads, with the one image tagged <see cref="ImageLayoutCopy.Tag"/>.</summary>
    public string Layout => Path.Combine(directories.Work, "oci");

    public async Task CopyAsync(string from, string image, CancellationToken cancellationToken)
    {
        var home = directories.MakeDirectory(Path.Combine(directories.Work, "home"));
        var temp = directories.MakeDirectory(Path.Combine(directories.Work, "tmp"));
        var env = new Dictionary<string, string> { ["HOME"] = home, ["TMPDIR"] = temp };
        await RunAsync(Skopeo, "skopeo", ["copy", from, $"oci:{Layout}:{ImageLayoutCopy.Tag}"], env, "fetching", image, cancellationToken).ConfigureAwait(false);
    }

    public async Task UnpackAsync(string image, CancellationToken cancellationToken) =>
        await RunAsync(Umoci, "umoci", ["raw", "unpack", "--rootless", "--image", $"{Layout}:{ImageLayoutCopy.Tag}", directories.Tree], new Dictionary<string, string>(), "unpacking", image, cancellationToken).ConfigureAwait(false);

    private async Task RunAsync(string tool, string package, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> env, string phase, string image, CancellationToken cancellationToken)
    {
        if (!File.Exists(tool))
        {
            throw new BuildFailedException($"{package} is not installed, and importing image {image} needs it: install it with 'apt-get install {package}'");
        }

        progress?.Report(BuildProgress.Starting(phase));
        var options = new ToolProcess.Options { Env = env, RunAs = buildIdentity, WorkingDirectory = directories.Work };
        var (exitCode, tail) = await ToolProcess.RunAsync(tool, arguments, options, line => progress?.Report(new BuildProgress(phase, 0, 0, 0, line)), clock.Left, cancellationToken).ConfigureAwait(false);
        if (exitCode != 0)
        {
            throw new BuildFailedException($"{package} could not {(phase == "fetching" ? "read" : "unpack")} image {image}: {ToolFailure.LastLine(tail, directories)}");
        }
    }
}
