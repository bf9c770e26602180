using System.Text.RegularExpressions;
using Aisbx.Core.Rootfs;

namespace Aisbx.Sandbox.Rootfs;

/// <summary>
/// Builds a tree from Debian packages with mmdebstrap: Debian's essential set plus the profile's packages, no
/// recommends, merged /usr, in mmdebstrap's unshare mode (its mounts live and die in namespaces of its own, so a
/// killed build leaves no mount behind). Downloaded packages are kept in the cache directory and handed back to the
/// next build, so that a changed list fetches only what is new.
/// </summary>
internal static partial class DebianTreeBuilder
{
    private const string MergedUsrHooks = "/usr/share/mmdebstrap/hooks/merged-usr";
    private static readonly string[] Candidates = ["/usr/bin/mmdebstrap", "/bin/mmdebstrap"];

    public static string? Tool => Candidates.FirstOrDefault(File.Exists);

    public static async Task BuildAsync(RootfsSpec spec, TreeInputs inputs, string tree, string cache, TimeSpan timeout, IProgress<BuildProgress>? progress, CancellationToken cancellationToken)
    {
        var tool = Tool ?? throw new BuildFailedException("mmdebstrap is not installed, and building a tree from packages needs it: install it with 'apt-get install mmdebstrap'");
        if (cache.Any(c => char.IsWhiteSpace(c) || c is '\'' or '"' or '\\'))
        {
            throw new BuildFailedException($"the cache directory {cache} has a space or quote in its path, which mmdebstrap's hooks cannot take: set [rootfs] cache to a plain path");
        }

        var apt = AptCache.For(cache);
        var arguments = new List<string>
        {
            "--variant=essential",
            "--mode=unshare",
            "--format=directory",
            "--verbose",
            $"--architectures={TreeInputs.DebianArchitecture}",
            "--aptopt=APT::Install-Recommends \"false\"",
            "--aptopt=APT::Install-Suggests \"false\"",
            "--skip=essential/unlink",
            "--setup-hook=mkdir -p \"$1\"/var/cache/apt/archives/",
            $"--setup-hook=sync-in {apt.Archives} /var/cache/apt/archives/",
            $"--customize-hook=mkdir -p {apt.Incoming}",
            $"--customize-hook=sync-out /var/cache/apt/archives {apt.Incoming}",
        };
        if (Directory.Exists(MergedUsrHooks))
        {
            arguments.Add($"--hook-dir={MergedUsrHooks}");
        }

        if (spec.Packages.Length > 0)
        {
            arguments.Add("--include=" + string.Join(',', spec.Packages));
        }

        arguments.Add(inputs.Sources[0].Suite);
        arguments.Add(tree);
        arguments.AddRange(inputs.Sources.Select(s => s.DebLine));

        var reader = new ProgressReader(progress);
        progress?.Report(BuildProgress.Starting("starting mmdebstrap"));
        try
        {
            var (code, tail) = await ToolProcess.RunAsync(tool, arguments, new ToolProcess.Options { Env = new Dictionary<string, string> { ["TMPDIR"] = "/tmp" } },
                reader.Take, timeout, cancellationToken).ConfigureAwait(false);
            if (code != 0)
            {
                throw new BuildFailedException($"mmdebstrap failed ({Reason(tail, tree)}): check the package names and the mirror, then run aisbx build again");
            }

            apt.Publish();
        }
        finally
        {
            apt.Discard();
        }
    }

    /// <summary>
    /// The most telling line apt or mmdebstrap printed: apt's own error (<c>E: Unable to locate package sl2</c>)
    /// before mmdebstrap's summary of it, with the staging path left out.
    /// </summary>
    private static string Reason(IReadOnlyList<string> tail, string tree)
    {
        static bool Summary(string line) => line.StartsWith("E: setup failed", StringComparison.Ordinal) || line.StartsWith("E: apt-get", StringComparison.Ordinal)
            || line.Contains("mmdebstrap", StringComparison.Ordinal) || line.StartsWith("E: run_", StringComparison.Ordinal);
        var line = tail.FirstOrDefault(l => l.StartsWith("E: ", StringComparison.Ordinal) && !Summary(l))
            ?? tail.LastOrDefault(l => l.StartsWith("E: ", StringComparison.Ordinal))
            ?? (tail.Count > 0 ? tail[^1] : "no output");
        line = line.Replace(tree, "<tree>", StringComparison.Ordinal);
        return line.Length > 300 ? line[..300] : line;
    }

    /// <summary>Turns mmdebstrap's verbose output into phases, packages set up of those apt announced, and bytes fetched.</summary>
    private sealed partial class ProgressReader(IProgress<BuildProgress>? progress)
    {
        private readonly Lock _gate = new();
        private string _phase = "starting";
        private int _done;
        private int _total;
        private long _bytes;

        /// <summary>Called from both of the tool's output streams: one line at a time.</summary>
        public void Take(string line)
        {
            if (progress is null)
            {
                return;
            }

            lock (_gate)
            {
                TakeLocked(line);
            }
        }

        private void TakeLocked(string line)
        {
            if (line.StartsWith("I: ", StringComparison.Ordinal) && Phase(line) is { } phase)
            {
                _phase = phase;
            }
            else if (NewlyInstalled().Match(line) is { Success: true } announced)
            {
                _total += int.Parse(announced.Groups[1].ValueSpan, System.Globalization.CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("Setting up ", StringComparison.Ordinal) && _total > 0)
            {
                _done++;
            }
            else if (Fetched().Match(line) is { Success: true } fetched)
            {
                _bytes += Bytes(fetched.Groups[1].Value, fetched.Groups[2].Value);
            }
            else
            {
                return;
            }

            progress!.Report(new BuildProgress(_phase, Math.Min(_done, Math.Max(_total, _done)), Math.Max(_total, _done), _bytes, line));
        }

        private static string? Phase(string line) => line switch
        {
            _ when line.Contains("apt-get update", StringComparison.Ordinal) => "updating package lists",
            _ when line.Contains("downloading packages", StringComparison.Ordinal) => "downloading",
            _ when line.Contains("extracting archives", StringComparison.Ordinal) => "extracting",
            _ when line.Contains("installing essential", StringComparison.Ordinal) => "installing essential packages",
            _ when line.Contains("installing remaining", StringComparison.Ordinal) => "installing packages",
            _ when line.Contains("cleaning", StringComparison.Ordinal) => "cleaning up",
            _ => null,
        };

        private static long Bytes(string number, string unit)
        {
            var value = double.Parse(number, System.Globalization.CultureInfo.InvariantCulture);
            return (long)(value * unit switch { "kB" => 1e3, "MB" => 1e6, "GB" => 1e9, _ => 1 });
        }

        [GeneratedRegex(@"(\d+) newly installed")]
        private static partial Regex NewlyInstalled();

        [GeneratedRegex(@"^Get:\d+ .*\[([\d.]+) (B|kB|MB|GB)\]$")]
        private static partial Regex Fetched();
    }
}
