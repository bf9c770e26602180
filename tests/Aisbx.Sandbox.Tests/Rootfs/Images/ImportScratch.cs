using System.Diagnostics;
using System.Formats.Tar;
using Aisbx.Core.Configuration;
using Aisbx.Sandbox.Rootfs.Images;
using static Aisbx.Sandbox.Interop.Interop;

namespace Aisbx.Sandbox.Tests.Rootfs.Images;

/// <summary>
/// A scratch directory per test: a root-owned staging directory for the tree (as the build's own), images made with
/// the real tools, and a canary directory outside the tree that anyone may write to, so that only the importer's
/// rules (not file permissions) can keep a hostile archive out of it.
/// </summary>
internal sealed class ImportScratch : IDisposable
{
    public const int BuildUid = RootfsSettings.DefaultBuildId;

    public ImportScratch()
    {
        Root = Path.Combine(Path.GetTempPath(), "aisbx-import-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(Root, "staging"));
        Directory.CreateDirectory(Canary);
        File.SetUnixFileMode(Path.Combine(Root, ".."), (UnixFileMode)0b111_101_101);
        File.SetUnixFileMode(Root, (UnixFileMode)0b111_101_101);
        File.SetUnixFileMode(Path.Combine(Root, "staging"), (UnixFileMode)0b111_101_101);
        File.SetUnixFileMode(Canary, (UnixFileMode)0b111_111_111);
    }

    public string Root { get; }

    public string Tree => Path.Combine(Root, "staging", "tree");

    /// <summary>Outside the tree, writable by the build uid: what hostile archives aim at.</summary>
    public string Canary => Path.Combine(Root, "canary");

    public static AisbxConfig Config(long maxImageBytes = 1L << 30) => new()
    {
        ConfigDirectory = "/nonexistent-config",
        CallerHome = "/root",
        WorkspaceBase = "/tmp",
        RootfsBuilds = RootfsSettings.Default with { MaxImageBytes = maxImageBytes, BuildTimeout = TimeSpan.FromMinutes(5) },
    };

    public Task<ImportReport> ImportAsync(string image, long maxImageBytes = 1L << 30) =>
        ImageImporter.ImportAsync(image, Tree, Config(maxImageBytes), null, TestContext.Current.CancellationToken);

    /// <summary>A tarball of the given entries, written with the BCL's TarWriter (PAX), optionally gzipped.</summary>
    public string Tarball(string name, Action<TarWriter> write)
    {
        var path = Path.Combine(Root, name);
        using var file = File.Create(path);
        using (var writer = new TarWriter(file, TarEntryFormat.Pax, leaveOpen: true))
        {
            write(writer);
        }

        return path;
    }

    public static void AddFile(TarWriter writer, string name, string content, UnixFileMode mode = (UnixFileMode)0b110_100_100)
    {
        var entry = new PaxTarEntry(TarEntryType.RegularFile, name) { Mode = mode, DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(content)) };
        writer.WriteEntry(entry);
    }

    public static void AddEntry(TarWriter writer, TarEntryType type, string name, string? linkName = null, UnixFileMode mode = (UnixFileMode)0b111_101_101)
    {
        var entry = new PaxTarEntry(type, name) { Mode = mode };
        if (linkName is not null)
        {
            entry.LinkName = linkName;
        }

        writer.WriteEntry(entry);
    }

    /// <summary>An OCI layout made with umoci (as root: the test's trusted setup) whose rootfs gets <paramref name="fill"/>.</summary>
    public string OciLayout(string name, string tag, Action<string> fill)
    {
        var layout = Path.Combine(Root, name);
        var bundle = Path.Combine(Root, name + ".bundle");
        Run("umoci", "init", "--layout", layout);
        Run("umoci", "new", "--image", $"{layout}:{tag}");
        Run("umoci", "unpack", "--image", $"{layout}:{tag}", bundle);
        fill(Path.Combine(bundle, "rootfs"));
        Run("umoci", "repack", "--image", $"{layout}:{tag}", bundle);
        return layout;
    }

    public static void Run(string tool, params string[] arguments)
    {
        var info = new ProcessStartInfo(tool, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{tool} {string.Join(' ', arguments)} failed: {stderr}{stdout.Result}");
        }
    }

    /// <summary>The entry's status, not following a symlink; null when it does not exist.</summary>
    public static Statx? Status(string path) =>
        StatxCall(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, out var status) == 0 ? status : null;

    public static bool Exists(string path) => Status(path) is not null;

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
