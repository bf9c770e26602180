using System.Diagnostics;
using System.Text.Json;

namespace Aisbx.Cli.Tests;

/// <summary>
/// <c>aisbx run</c> through the config directory's resident server: the first run starts it, later runs take a
/// sandbox of its warm pool. Which one ran a program shows inside the sandbox: a pooled sandbox's program is a child
/// of aisbx's agent (<c>launch</c>), a run's own sandbox's a child of bubblewrap.
/// </summary>
public sealed class ResidentSpecs : IDisposable
{
    /// <summary>Prints, to stderr, what started the program: <c>launch</c> (pooled) or <c>bwrap</c> (the run's own).</summary>
    private const string Probe = "cat /proc/$PPID/comm >&2; ";

    /// <summary>Ctrl-C (SIGINT; a background job's is reset first) once the program has started.</summary>
    private const string Interrupted = """
        out=$(mktemp); env --default-signal=INT $AISBX run -- sh -c '{probe}echo started; exec sleep 60' >"$out" & pid=$!
        for i in $(seq 400); do grep -q started "$out" && break; sleep 0.05; done
        kill -INT $pid; wait $pid; echo "status=$?" >&2; cat "$out"; rm -f "$out"
        """;

    private readonly AisbxBinary _aisbx = new(resident: true);

    private string RunDirectory => Path.Combine(_aisbx.ConfigDirectory, "run");

    [Fact]
    public async Task The_first_run_starts_the_server_and_later_runs_take_its_pooled_sandboxes()
    {
        var first = await _aisbx.RunAsync("run", "--", "sh", "-c", Probe + "echo one");

        var later = await ServedAsync("run", "--", "sh", "-c", Probe + "echo two");

        Assert.Equal((0, "one\n", "bwrap\n"), first);
        Assert.Equal((0, "two\n", ""), later);
        Assert.NotNull(ServerPid());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(RunDirectory));
        Assert.True(File.Exists(Path.Combine(RunDirectory, "resident.sock")));
    }

    [Fact]
    public async Task With_resident_off_every_run_builds_its_own_sandbox_and_no_server_starts()
    {
        File.AppendAllText(Path.Combine(_aisbx.ConfigDirectory, "config.toml"), "\n[pool]\nresident = false\n");

        var parents = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var (exitCode, _, stderr) = await _aisbx.RunAsync("run", "--", "sh", "-c", Probe);
            Assert.Equal(0, exitCode);
            parents.Add(stderr);
            await Task.Delay(300, TestContext.Current.CancellationToken);
        }

        Assert.All(parents, parent => Assert.Equal("bwrap\n", parent));
        Assert.Null(ServerPid());
    }

    [Fact]
    public async Task Nothing_of_one_run_is_seen_by_the_next_files_environment_or_processes()
    {
        // Each run looks for what the ones before it left, then leaves its own: files in /workspace and /tmp, a
        // variable (run N is given MARK_N), and a process in the background.
        const string script = Probe + """
            for f in /workspace/left /tmp/left; do [ -e "$f" ] && echo "seen $f"; done
            env | grep '^MARK_' | sort
            for p in /proc/[0-9]*; do [ "$(cat $p/comm 2>/dev/null)" = sleep ] && echo "seen sleep"; done
            touch /workspace/left /tmp/left
            sleep 300 >/dev/null 2>&1 &
            echo done
            """;

        for (var i = 0; i < 4; i++)
        {
            var run = await ServedAsync("run", "-e", $"MARK_{i}=1", "--", "sh", "-c", script);

            Assert.Equal((0, $"MARK_{i}=1\ndone\n", ""), run);
        }
    }

    [Theory]
    [InlineData("""$AISBX run -- sh -c '{probe}echo out; echo err >&2; exit 3'""")]
    [InlineData("""$AISBX run -- sh -c '{probe}kill -TERM $$'""")]
    [InlineData("""echo hello | $AISBX run -- sh -c '{probe}read x; echo "got[$x]"'""")]
    [InlineData("""head -c 300000 /dev/zero | $AISBX run -- sh -c '{probe}wc -c'""")]
    [InlineData("""$AISBX run -- sh -c '{probe}if read x; then echo got; else echo eof; fi' <&-""")]
    [InlineData("""$AISBX run -- sh -c '{probe}yes' | head -2; echo "status=${PIPESTATUS[0]}" >&2""")]
    [InlineData("""$AISBX run -- sh -c '{probe}echo x' >&-; echo "status=$?" >&2""")]
    [InlineData("""$AISBX run --timeout 1s -- sh -c '{probe}sleep 100'; echo "status=$?" >&2""")]
    [InlineData("""$AISBX run -e GREETING=hi -- sh -c '{probe}echo "$GREETING"; env | sort'""")]
    [InlineData("""$AISBX run --memory 64M --pids 20 -- sh -c '{probe}cat /sys/fs/cgroup/memory.max 2>/dev/null; ulimit -u'""")]
    [InlineData("""$AISBX run -p python-dev -- python3 -c 'print(6*7)'""")] // its allowlist network: never pooled
    [InlineData("""$AISBX run -- no-such-program-xyz; echo "status=$?" >&2""")]
    [InlineData("""$AISBX run --memory 64G -- true; echo "status=$?" >&2""")]
    [InlineData("""$AISBX run -p strict -- sh -c 'curl http://example.com'; echo "status=$?" >&2""")]
    [InlineData(Interrupted)]
    public async Task The_server_answers_as_the_run_s_own_sandbox_would(string script)
    {
        // Arrange: the same config, once with the resident server and once without.
        await WarmAsync();
        using var direct = new AisbxBinary();
        var probed = script.Contains("{probe}", StringComparison.Ordinal);
        var command = script.Replace("{probe}", Probe, StringComparison.Ordinal);

        // Act: through aisbx, and through aisbx-run (the checkout's ./aisbx starts it for runs).
        var served = await ServedShellAsync(command, probed);
        var front = await ServedShellAsync(command, probed, _aisbx.RunFrontPath);
        var own = await direct.ShellAsync(command);

        // Assert
        Assert.Equal(Strip(own, probed ? "bwrap\n" : ""), served);
        Assert.Equal(Strip(own, probed ? "bwrap\n" : ""), front);
    }

    [Theory]
    [InlineData("""$AISBX run --bogus -- true""")]
    [InlineData("""$AISBX run --json -- sh -c 'exit 2' | grep -o '"exitCode": 2'""")]
    [InlineData("""$AISBX run -p default -p strict -- true""")]
    [InlineData("""$AISBX run --pids 0 -- true""")]
    [InlineData("""$AISBX run -t soon -- true""")]
    [InlineData("""$AISBX run -e NOEQUALS -- true""")]
    [InlineData("""$AISBX run --network allowlist --allow-host pypi.org -- true""")]
    [InlineData("""$AISBX run -w /etc -- true""")]
    [InlineData("""$AISBX run echo no-double-dash""")]
    [InlineData("""$AISBX run -- """)]
    [InlineData("""$AISBX run --help | head -3""")]
    [InlineData("""$AISBX run --dry-run -- true | head -c 40""")]
    public async Task What_aisbx_run_s_front_does_not_take_itself_aisbx_answers_as_always(string script)
    {
        await WarmAsync();
        using var direct = new AisbxBinary();

        var front = await _aisbx.ShellAsync(script, _aisbx.RunFrontPath);
        var own = await direct.ShellAsync(script);

        Assert.Equal(Normalized(own, direct), Normalized(front, _aisbx));
    }

    /// <summary>A run's answer with its config directory's name (which differs between the two fixtures) taken out.</summary>
    private static (int, string, string) Normalized((int ExitCode, string Stdout, string Stderr) run, AisbxBinary aisbx) =>
        (run.ExitCode, run.Stdout.Replace(aisbx.Root, "ROOT", StringComparison.Ordinal), run.Stderr.Replace(aisbx.Root, "ROOT", StringComparison.Ordinal));

    [Fact]
    public async Task A_json_run_through_the_server_is_the_same_document()
    {
        await WarmAsync();

        var (exitCode, stdout, _) = await ServedAsync("run", "--json", "--", "sh", "-c", Probe + "echo hi; exit 4");

        Assert.Equal(4, exitCode);
        using var document = JsonDocument.Parse(stdout);
        Assert.Equal(4, document.RootElement.GetProperty("exitCode").GetInt32());
        Assert.Equal("hi\n", document.RootElement.GetProperty("stdout").GetString());
        Assert.Equal("launch\n", document.RootElement.GetProperty("stderr").GetString());
        Assert.Equal("default", document.RootElement.GetProperty("profile").GetString());
    }

    [Fact]
    public async Task A_violation_is_printed_live_through_the_server()
    {
        Assert.SkipUnless(System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture == System.Runtime.InteropServices.Architecture.X64, "the probe uses an x86_64 syscall number");
        await WarmAsync();
        const string guard = "import os, socket\nassert socket.gethostname() == 'aisbx' and os.getuid() == 1000, 'NOT-IN-SANDBOX'\n";

        var (exitCode, stdout, stderr) = await ServedAsync("run", "--", "sh", "-c", Probe + "exec python3 -c \"" + guard + "import ctypes; ctypes.CDLL(None).syscall(101, 0, 0, 0, 0); print('after')\"");

        Assert.Equal((0, "after\n"), (exitCode, stdout));
        Assert.Equal("aisbx: violation: ptrace denied (severity high)\n", stderr);
    }

    [Fact]
    public async Task Killing_the_caller_kills_the_program_in_the_server_s_sandbox()
    {
        // Arrange: a sleep that no other test starts, in a pooled sandbox.
        await WarmAsync();
        var seconds = Random.Shared.Next(100_000, 999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        Process? caller = null;
        for (var attempt = 0; attempt < 5 && caller is null; attempt++)
        {
            var started = _aisbx.Start("run", "--", "sh", "-c", "cat /proc/$PPID/comm; exec sleep " + seconds);
            started.StandardInput.Close();
            var parent = await started.StandardOutput.ReadLineAsync(TestContext.Current.CancellationToken);
            if (parent == "launch")
            {
                caller = started;
            }
            else
            {
                started.Kill();
                await started.WaitForExitAsync(TestContext.Current.CancellationToken);
                started.Dispose();
            }
        }

        Assert.NotNull(caller);
        Assert.True(await Eventually(() => HostProcesses("sleep", seconds).Count == 1), "the program never showed up on the host");

        // Act
        caller.Kill();
        await caller.WaitForExitAsync(TestContext.Current.CancellationToken);
        caller.Dispose();

        // Assert
        Assert.True(await Eventually(() => HostProcesses("sleep", seconds).Count == 0), "the program outlived its caller");
        var (exitCode, _, stderr) = await ServedAsync("run", "--", "sh", "-c", Probe);
        Assert.Equal((0, ""), (exitCode, stderr));
    }

    [Fact]
    public async Task An_edited_config_ends_the_old_server_and_a_new_one_serves_the_runs_after()
    {
        // Arrange
        await WarmAsync();
        var old = ServerPid();
        Assert.NotNull(old);

        // Act: any edit counts (the server cannot tell which would change a run).
        File.AppendAllText(Path.Combine(_aisbx.ConfigDirectory, "config.toml"), "\n# edited\n");
        var afterEdit = await _aisbx.RunAsync("run", "--", "sh", "-c", Probe + "echo edited");
        var served = await ServedAsync("run", "--", "sh", "-c", Probe + "echo new");

        // Assert: the stale server answered "stale" and ended; the run went on in its own sandbox.
        Assert.Equal((0, "edited\n", "bwrap\n"), afterEdit);
        Assert.True(await Eventually(() => !IsAlive(old.Value)), "the stale server did not end");
        Assert.NotEqual(old, ServerPid());
        Assert.Equal((0, "new\n", ""), served);
    }

    [Fact]
    public async Task A_checkout_s_front_is_served_only_while_the_checkout_s_build_is_not_older_than_its_sources()
    {
        // Arrange: a checkout of its own, whose rebuild script only says how it was called; aisbx-run is started as
        // that checkout's ./aisbx starts it (AISBX_CHECKOUT), and makes no check itself.
        var checkout = Directory.CreateTempSubdirectory("aisbx-checkout-").FullName;
        try
        {
            await CheckoutWatchSpecs.FakeCheckoutAsync(checkout);
            File.WriteAllText(Path.Combine(checkout, "scripts", "checkout-run.sh"), "echo \"rebuild: $*\"\n");
            await WarmAsync();
            var script = $"AISBX_CHECKOUT={checkout} $AISBX run -- sh -c '{Probe}echo ran'";

            // Act
            var fresh = await ServedShellAsync(script, probed: true, _aisbx.RunFrontPath);
            File.SetLastWriteTimeUtc(Path.Combine(checkout, "src", "Aisbx.Core", "Thing.cs"), DateTime.UtcNow.AddHours(1));
            var stale = await _aisbx.ShellAsync(script, _aisbx.RunFrontPath);

            // Assert: the stale one was missed, handed to aisbx, which found the build stale and went to the rebuild.
            Assert.Equal((0, "ran\n", ""), fresh);
            Assert.Equal((0, $"rebuild: --config {_aisbx.ConfigDirectory} run -- sh -c {Probe}echo ran\n"), (stale.ExitCode, stale.Stdout));
        }
        finally
        {
            Directory.Delete(checkout, recursive: true);
        }
    }

    [Fact]
    public async Task The_server_ends_when_its_socket_is_removed()
    {
        await WarmAsync();
        var pid = ServerPid();
        Assert.NotNull(pid);

        File.Delete(Path.Combine(RunDirectory, "resident.sock"));

        Assert.True(await Eventually(() => !IsAlive(pid.Value), TimeSpan.FromSeconds(20)), "the server outlived its socket");
    }

    [Fact]
    public async Task A_run_directory_that_others_may_enter_is_not_used()
    {
        await WarmAsync();
        File.SetUnixFileMode(RunDirectory, File.GetUnixFileMode(RunDirectory) | UnixFileMode.OtherExecute | UnixFileMode.OtherRead);

        var runs = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            runs.Add((await _aisbx.RunAsync("run", "--", "sh", "-c", Probe)).Stderr);
        }

        Assert.All(runs, parent => Assert.Equal("bwrap\n", parent));
    }

    [Fact]
    public async Task Another_user_cannot_reach_the_server_s_socket()
    {
        // Only this test's own socket is tried, as the nobody user, with a plain connect.
        Assert.SkipUnless(Environment.UserName == "root" && File.Exists("/usr/bin/setpriv") && File.Exists("/usr/bin/python3"), "needs root (to become nobody), setpriv and python3");
        await WarmAsync();
        var info = new ProcessStartInfo("/usr/bin/setpriv") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in (string[])["--reuid=65534", "--regid=65534", "--clear-groups", "--", "/usr/bin/python3", "-c",
                     "import socket, sys\ns = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)\ntry:\n  s.connect(sys.argv[1]); print('connected')\nexcept OSError as e:\n  print(type(e).__name__)",
                     Path.Combine(RunDirectory, "resident.sock")])
        {
            info.ArgumentList.Add(arg);
        }

        using var nobody = Process.Start(info)!;
        var answer = await nobody.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        await nobody.WaitForExitAsync(TestContext.Current.CancellationToken);

        Assert.Equal("PermissionError\n", answer);
    }

    public void Dispose()
    {
        if (ServerPid() is { } pid)
        {
            _ = Kill(pid, 15);
        }

        _aisbx.Dispose();
    }

    /// <summary>Starts the server (the first run does) and waits until a run is served by it.</summary>
    private async Task WarmAsync() => _ = await ServedAsync("run", "--", "sh", "-c", Probe);

    /// <summary>
    /// A run that a pooled sandbox served, with the probe's line taken off stderr. A run can miss the pool (the server
    /// still starting, its pool refilling) and then runs in its own sandbox, as it should: it is tried again then.
    /// </summary>
    private async Task<(int ExitCode, string Stdout, string Stderr)> ServedAsync(params string[] args)
    {
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var run = await _aisbx.RunAsync(args);
            if (run.Stderr.StartsWith("launch\n", StringComparison.Ordinal) || run.Stdout.Contains("launch\\n", StringComparison.Ordinal))
            {
                return Strip(run, run.Stderr.StartsWith("launch\n", StringComparison.Ordinal) ? "launch\n" : "");
            }

            await Task.Delay(250, TestContext.Current.CancellationToken);
        }

        Assert.Fail("no run was served by the resident server");
        return default;
    }

    private async Task<(int ExitCode, string Stdout, string Stderr)> ServedShellAsync(string script, bool probed, string? binary = null)
    {
        if (!probed)
        {
            return await _aisbx.ShellAsync(script, binary);
        }

        for (var attempt = 0; attempt < 20; attempt++)
        {
            var run = await _aisbx.ShellAsync(script, binary);
            if (run.Stderr.StartsWith("launch\n", StringComparison.Ordinal))
            {
                return Strip(run, "launch\n");
            }

            await Task.Delay(250, TestContext.Current.CancellationToken);
        }

        Assert.Fail("no run was served by the resident server");
        return default;
    }

    private static (int ExitCode, string Stdout, string Stderr) Strip((int ExitCode, string Stdout, string Stderr) run, string firstLine)
    {
        Assert.StartsWith(firstLine, run.Stderr, StringComparison.Ordinal);
        return (run.ExitCode, run.Stdout, run.Stderr[firstLine.Length..]);
    }

    private int? ServerPid()
    {
        var wanted = $"--config\0{_aisbx.ConfigDirectory}\0resident\0";
        return HostProcessesWhere(cmdline => cmdline.Contains(wanted, StringComparison.Ordinal)).Cast<int?>().FirstOrDefault();
    }

    private static List<int> HostProcesses(string program, string argument) =>
        HostProcessesWhere(cmdline => cmdline == $"{program}\0{argument}\0");

    private static List<int> HostProcessesWhere(Func<string, bool> matches)
    {
        var found = new List<int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid))
            {
                continue;
            }

            try
            {
                if (matches(File.ReadAllText(Path.Combine(directory, "cmdline"))))
                {
                    found.Add(pid);
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return found;
    }

    private static bool IsAlive(int pid) =>
        File.Exists($"/proc/{pid}/stat") && !File.ReadAllText($"/proc/{pid}/stat").Split(')')[^1].TrimStart().StartsWith('Z');

    private static async Task<bool> Eventually(Func<bool> condition, TimeSpan? within = null)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)((within ?? TimeSpan.FromSeconds(10)).TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            if (condition())
            {
                return true;
            }

            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        return condition();
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill")]
    private static extern int Kill(int pid, int signal);
}
