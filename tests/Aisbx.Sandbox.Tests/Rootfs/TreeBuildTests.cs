using Aisbx.Core.Policy;
using Aisbx.Core.Runs;
using Aisbx.Sandbox.Rootfs;

namespace Aisbx.Sandbox.Tests.Rootfs;

/// <summary>Real mmdebstrap builds of small trees, and real sandboxes running in them.</summary>
[Collection(nameof(BuiltTrees))]
public sealed class TreeBuildTests(TreeStoreFixture trees)
{
    private async Task<RunResult> RunAsync(string profile, string script) =>
        await trees.Runner.RunAsync(
            new RunRequest { Command = ["/bin/sh", "-c", script], Profile = profile, CaptureOutput = true },
            new RunIo(), TestContext.Current.CancellationToken);

    private Task<BuildOutcome> BuildAsync(string profile, bool force = false, IProgress<BuildProgress>? progress = null, CancellationToken? cancel = null) =>
        trees.Builder.BuildAsync(trees.Profiles.Get(profile), force, progress, cancel ?? TestContext.Current.CancellationToken);

    [Fact]
    public async Task A_run_sees_the_built_tree_and_not_the_host_s_usr()
    {
        Assert.False(File.Exists("/usr/bin/hello"), "the host must not have GNU hello for this spec to tell the trees apart");
        Assert.True(File.Exists("/usr/bin/gcc"), "the host has gcc, the tree does not");

        var outcome = await BuildAsync("hello");
        var result = await RunAsync("hello", "hello; test -e /usr/bin/gcc && echo HOST-GCC; cat /etc/debian_version >/dev/null && echo DEBIAN");

        Assert.Equal(TreeState.Built, outcome.Tree.State);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Hello, world!", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("HOST-GCC", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("DEBIAN", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_tree_is_mounted_read_only_nosuid_and_nodev_and_nothing_inside_can_change_it()
    {
        await BuildAsync("hello");
        var tree = trees.Runner.Trees.TreePath(trees.Runner.Trees.Status(trees.Profiles.Get("hello")).Hash);
        var before = File.ReadAllBytes(Path.Combine(tree, "usr/bin/hello"));

        var result = await RunAsync("hello",
            "grep -E ' /(usr|etc) ' /proc/self/mountinfo; " +
            "echo x > /usr/bin/hello && echo WROTE-BIN; touch /etc/planted && echo WROTE-ETC; chmod 777 /usr/bin/hello && echo CHMOD; " +
            "ln -s /tmp /usr/lib/x && echo LINKED; true");

        Assert.Equal(0, result.ExitCode);
        var mounts = result.Stdout.Split('\n').Where(l => l.Contains(" /usr ", StringComparison.Ordinal) || l.Contains(" /etc ", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, mounts.Count);
        Assert.All(mounts, line =>
        {
            var options = line.Split(' ')[5].Split(',');
            Assert.Contains("ro", options);
            Assert.Contains("nosuid", options);
            Assert.Contains("nodev", options);
        });
        Assert.DoesNotContain("WROTE", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("CHMOD", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("LINKED", result.Stdout, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(Path.Combine(tree, "usr/bin/hello")));
        Assert.False(File.Exists(Path.Combine(tree, "etc/planted")));
    }

    [Fact]
    public async Task A_second_build_of_unchanged_inputs_is_a_no_op_and_two_profiles_with_the_same_inputs_share_a_tree()
    {
        var first = await BuildAsync("hello");

        var again = await BuildAsync("hello");
        var twin = await BuildAsync("hello-again");

        Assert.True(again.Cached);
        Assert.Equal(first.Tree.Hash, again.Tree.Hash);
        Assert.True(twin.Cached, "the same package list (duplicates do not count) is the same tree");
        Assert.Equal(first.Tree.Hash, twin.Tree.Hash);
    }

    [Fact]
    public async Task A_profile_not_built_is_refused_in_one_line_that_names_the_build_to_run()
    {
        var refusal = await Assert.ThrowsAsync<PolicyRefusal>(() => RunAsync("never-built", "true"));

        Assert.Equal(RootfsNotBuilt.Rule, refusal.Rule);
        Assert.Equal("profile 'never-built' has no environment built yet: run aisbx build --profile never-built", refusal.Message);
        Assert.Equal(TreeState.Missing, trees.Runner.Trees.Status(trees.Profiles.Get("never-built")).State);
        Assert.Equal(TreeState.Host, trees.Runner.Trees.Status(trees.Profiles.Get("on-host")).State);
    }

    [Fact]
    public async Task A_profile_whose_packages_changed_since_its_build_is_stale_until_rebuilt()
    {
        trees.WriteProfile("changing", "[rootfs]\npackages = [\"hello\"]\n");
        trees.Reload();
        await BuildAsync("changing");
        Assert.Equal(TreeState.Built, trees.Runner.Trees.Status(trees.Profiles.Get("changing")).State);

        trees.WriteProfile("changing", "[rootfs]\npackages = [\"hello\", \"sl\"]\n");
        trees.Reload();
        var refusal = await Assert.ThrowsAsync<PolicyRefusal>(() => RunAsync("changing", "true"));

        Assert.Equal(TreeState.Stale, trees.Runner.Trees.Status(trees.Profiles.Get("changing")).State);
        Assert.Contains("stale", refusal.Message, StringComparison.Ordinal);
        Assert.EndsWith("run aisbx build --profile changing", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_build_cancelled_midway_leaves_nothing_behind()
    {
        trees.WriteProfile("cancelled", "[rootfs]\npackages = [\"hello\", \"bc\"]\n");
        trees.Reload();
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var phases = new List<string>();
        var progress = new SynchronousProgress(p =>
        {
            lock (phases)
            {
                phases.Add(p.Phase);
            }

            if (p.Phase.StartsWith("installing", StringComparison.Ordinal))
            {
                cancel.Cancel();
            }
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => BuildAsync("cancelled", progress: progress, cancel: cancel.Token));

        Assert.Contains(phases, p => p.StartsWith("installing", StringComparison.Ordinal));
        Assert.DoesNotContain(trees.StoreEntries(), e => e!.StartsWith(".staging-", StringComparison.Ordinal));
        Assert.Equal(TreeState.Missing, trees.Runner.Trees.Status(trees.Profiles.Get("cancelled")).State);
        Assert.Equal(0, Aisbx.Tests.Shared.HostCommands.ProcessesNaming(trees.Store));
    }

    [Fact]
    public async Task A_forced_rebuild_swaps_the_tree_while_a_sandbox_runs_and_the_sandbox_keeps_the_old_one_until_it_ends()
    {
        trees.WriteProfile("swapped", "[rootfs]\npackages = [\"hello\", \"hello\", \"hello\"]\n[limits]\nwall_time = \"300s\"\n");
        trees.Reload();
        var first = await BuildAsync("swapped");
        var marker = Path.Combine(trees.Root, "swap-ready-" + Guid.NewGuid().ToString("N")[..8]);
        var running = trees.Runner.RunAsync(
            new RunRequest { Command = ["/bin/sh", "-c", "ls -i /usr/bin/hello; cat /dev/stdin >/dev/null; ls -i /usr/bin/hello; hello"], Profile = "swapped", CaptureOutput = true },
            new RunIo { Stdin = new GatedStream(marker) }, TestContext.Current.CancellationToken);
        await GatedStream.WaitUntilReadAsync(marker);

        var second = await BuildAsync("swapped", force: true);
        var trashWhileRunning = trees.StoreEntries().Count(e => e!.StartsWith(".trash-", StringComparison.Ordinal));
        GatedStream.Open(marker);
        var result = await running;
        trees.Builder.Prune(trees.Profiles.All());

        Assert.False(second.Cached);
        Assert.Equal(first.Tree.Hash, second.Tree.Hash);
        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}: {result.Stdout} {result.Stderr}");
        var inodes = result.Stdout.Split('\n').Where(l => l.Contains("/usr/bin/hello", StringComparison.Ordinal)).Select(l => l.Trim().Split(' ')[0]).ToList();
        Assert.Equal(2, inodes.Count);
        Assert.Equal(inodes[0], inodes[1]); // The same file before and after the swap: the sandbox kept its tree.
        Assert.Contains("Hello, world!", result.Stdout, StringComparison.Ordinal);
        Assert.Equal(1, trashWhileRunning); // The old tree waited for the sandbox...
        Assert.DoesNotContain(trees.StoreEntries(), e => e!.StartsWith(".trash-", StringComparison.Ordinal)); // ...and went once it ended.
        Assert.Equal("Hello, world!\n", (await RunAsync("swapped", "hello")).Stdout);
    }

    [Fact]
    public async Task A_tree_imported_from_an_image_without_glibc_runs_with_the_launcher_on_the_host_s_loader()
    {
        // Alpine-like: a static busybox and nothing else, so the launcher cannot use the tree's libc (there is none).
        var image = Path.Combine(trees.Root, "busybox-image.tar");
        var busybox = StaticBusybox(Path.Combine(trees.Root, "busybox-deb"));
        await using (var tar = File.Create(image))
        await using (var writer = new System.Formats.Tar.TarWriter(tar))
        {
            writer.WriteEntry(new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.Directory, "bin/") { Mode = (UnixFileMode)0x1ED });
            await writer.WriteEntryAsync(busybox, "bin/busybox", TestContext.Current.CancellationToken);
            writer.WriteEntry(new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.SymbolicLink, "bin/sh") { LinkName = "busybox" });
            writer.WriteEntry(new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.Directory, "etc/") { Mode = (UnixFileMode)0x1ED });
            writer.WriteEntry(new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.RegularFile, "etc/aisbx-marker")
            {
                Mode = (UnixFileMode)0x1A4,
                DataStream = new MemoryStream("from-the-image\n"u8.ToArray()),
            });
        }

        trees.WriteProfile("from-image", $"[rootfs]\nimage = \"{image}\"\n[env]\nPATH = \"/bin\"\n");
        trees.Reload();
        var outcome = await BuildAsync("from-image");
        var result = await RunAsync("from-image",
            "busybox cat /etc/aisbx-marker; busybox test -e /usr/bin/python3 || echo no-host-usr; busybox test -e /lib64/ld-linux-x86-64.so.2 || echo no-glibc; busybox id -u");

        Assert.Equal(TreeState.Built, outcome.Tree.State);
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal("from-the-image\nno-host-usr\nno-glibc\n1000\n", result.Stdout);
    }

    /// <summary>Debian's static busybox, fetched with apt (the registries are reachable here and in CI).</summary>
    private static string StaticBusybox(string directory)
    {
        Directory.CreateDirectory(directory);
        var download = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("apt-get", "download busybox-static") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true })!;
        download.WaitForExit();
        var deb = Directory.GetFiles(directory, "busybox-static_*.deb").Single();
        using (var unpack = System.Diagnostics.Process.Start("dpkg-deb", ["-x", deb, Path.Combine(directory, "root")]))
        {
            unpack.WaitForExit();
        }

        return Path.Combine(directory, "root", "bin", "busybox");
    }

    /// <summary>IProgress that reports on the builder's thread, so that a spec can act at an exact phase.</summary>
    private sealed class SynchronousProgress(Action<BuildProgress> report) : IProgress<BuildProgress>
    {
        public void Report(BuildProgress value) => report(value);
    }

    /// <summary>A stdin that says when the sandbox first reads it (through a file) and gives EOF once opened.</summary>
    private sealed class GatedStream(string marker) : Stream
    {
        private static readonly Dictionary<string, TaskCompletionSource> Gates = [];

        public static void Open(string marker)
        {
            lock (Gates)
            {
                Gate(marker).TrySetResult();
            }
        }

        public static async Task WaitUntilReadAsync(string marker)
        {
            while (!File.Exists(marker))
            {
                await Task.Delay(20, TestContext.Current.CancellationToken);
            }
        }

        private static TaskCompletionSource Gate(string marker)
        {
            if (!Gates.TryGetValue(marker, out var gate))
            {
                gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                Gates[marker] = gate;
            }

            return gate;
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            File.WriteAllText(marker, "read");
            Task gate;
            lock (Gates)
            {
                gate = Gate(marker).Task;
            }

            gate.Wait(TestContext.Current.CancellationToken);
            return 0;
        }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
