using System.Collections.Immutable;
using Aisbx.Core.Runs;
using System.Diagnostics;
using System.Globalization;
using Aisbx.Sandbox.Host;

namespace Aisbx.Sandbox.Tests;

[Collection(nameof(RealSandboxes))]
public class ProcessIsolationTests(SandboxFixture sandbox)
{
    [Fact]
    public async Task The_program_has_no_capabilities_no_new_privs_and_is_not_root()
    {
        var result = await sandbox.ShAsync("id -u; id -g; grep -E '^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs):' /proc/self/status");

        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("1000", lines[0]);
        Assert.Equal("1000", lines[1]);
        Assert.Contains("CapEff:\t0000000000000000", lines);
        Assert.Contains("CapPrm:\t0000000000000000", lines);
        Assert.Contains("CapAmb:\t0000000000000000", lines);
        Assert.Contains("NoNewPrivs:\t1", lines);
    }

    [Fact]
    public async Task The_sandboxed_program_runs_on_the_host_as_an_unprivileged_uid_never_root()
    {
        var tag = Random.Shared.Next(100_000, 999_999).ToString(CultureInfo.InvariantCulture);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var run = sandbox.Runner.RunAsync(new Core.Runs.RunRequest { Command = ["sleep", "8" + tag], CaptureOutput = true }, RunIo.None, cancel.Token);
        try
        {
            await HostProcesses.WaitUntilRunningAsync(tag);
            var status = File.ReadAllLines($"/proc/{HostProcesses.Matching(tag)[0]}/status");
            var uids = status.First(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t', StringSplitOptions.RemoveEmptyEntries)[1..];
            var gids = status.First(l => l.StartsWith("Gid:", StringComparison.Ordinal)).Split('\t', StringSplitOptions.RemoveEmptyEntries)[1..];

            var groups = status.First(l => l.StartsWith("Groups:", StringComparison.Ordinal))["Groups:".Length..].Trim();
            var capabilities = status.Where(l => l.StartsWith("Cap", StringComparison.Ordinal) && !l.StartsWith("CapBnd:", StringComparison.Ordinal)).ToList();

            var expected = SandboxIdentity.CallerIsRoot ? sandbox.Config.SandboxUid.ToString(CultureInfo.InvariantCulture) : Interop.Interop.GetEffectiveUserId().ToString(CultureInfo.InvariantCulture);
            Assert.All(uids, uid => Assert.Equal(expected, uid));
            Assert.All(gids, gid => Assert.NotEqual("0", gid));
            if (SandboxIdentity.CallerIsRoot)
            {
                // Root's supplementary groups (0 among them) must not follow the program, nor any host capability.
                Assert.All(gids, gid => Assert.Equal(expected, gid));
                Assert.Equal("", groups);
                Assert.All(capabilities, line => Assert.EndsWith("0000000000000000", line, StringComparison.Ordinal));

                // The thread that spawned bubblewrap (alive: it supervises the run) took the uid for the spawn only.
                // Another test's spawn may hold it for a moment, so a thread gets a second to be root again.
                foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
                {
                    Assert.True(await IsRootWithinAsync(task), $"thread {Path.GetFileName(task)} of aisbx kept the sandbox's ids");
                }
            }
        }
        finally
        {
            await cancel.CancelAsync();
            await run;
        }
    }

    [Fact]
    public async Task The_program_sees_no_host_process_and_kill_minus_one_harms_nothing_outside()
    {
        // A host process of the very uid the sandbox runs as: the one kill -1 could reach if the pid namespace leaked.
        var victimUid = SandboxIdentity.CallerIsRoot ? sandbox.Config.SandboxUid : (int)Interop.Interop.GetEffectiveUserId();
        using var victim = SandboxIdentity.CallerIsRoot
            ? Process.Start("setpriv", ["--reuid=" + victimUid, "--regid=" + victimUid, "--clear-groups", "--", "sleep", "60"])
            : Process.Start("sleep", ["60"]);
        try
        {
            var result = await sandbox.AttackAsync("ps -e -o pid= -o comm= | grep -c . ; kill -9 -1; echo survived-own-kill");

            Assert.False(victim.HasExited, "a host process of the sandbox's uid was killed from inside");
            var visible = int.Parse(result.Stdout.Split('\n')[0], CultureInfo.InvariantCulture);
            Assert.True(visible <= 6, $"the sandbox saw {visible} processes");
        }
        finally
        {
            victim.Kill();
        }
    }

    [Fact]
    public async Task Only_descriptors_0_1_and_2_reach_the_program_even_when_aisbx_holds_inheritable_ones()
    {
        // An inheritable (non-close-on-exec) descriptor in the supervisor, as a careless library would leave one.
        var leaky = Interop.Interop.Open("/etc/hostname", 0, 0);
        Assert.True(leaky > 2);
        try
        {
            var result = await sandbox.PythonAttackAsync("""
                import os
                open_fds = []
                for fd in range(0, 1024):
                    try:
                        os.fstat(fd)
                        open_fds.append(fd)
                    except OSError:
                        pass
                print(open_fds)
                """);

            Assert.Equal("[0, 1, 2]\n", result.Stdout);
        }
        finally
        {
            _ = Interop.Interop.Close(leaky);
        }
    }

    [Fact]
    public async Task The_environment_is_cleared_to_the_profile_and_request_variables()
    {
        Environment.SetEnvironmentVariable("AISBX_TEST_HOST_SECRET", "host-secret-value");

        var result = await sandbox.ShAsync("env | sort");

        Assert.DoesNotContain("host-secret-value", result.Stdout, StringComparison.Ordinal);
        var names = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('=')[0]).ToHashSet();
        var allowed = sandbox.Runner.Profiles.Get("default").Env.Keys.Append("PWD").ToHashSet();
        Assert.Subset(allowed, names);
    }

    [Fact]
    public async Task The_caller_s_environment_reaches_the_program_but_never_the_host_tools_that_start_it()
    {
        // LD_DEBUG makes the dynamic loader of every program that sees it name that program: the host's setpriv
        // and bubblewrap (root, or the host uid) must not, or LD_PRELOAD would run code of the caller's there.
        var result = await sandbox.Runner.RunAsync(
            new RunRequest { Command = ["/usr/bin/true"], Env = ImmutableSortedDictionary.CreateRange([KeyValuePair.Create("LD_DEBUG", "files")]), CaptureOutput = true },
            RunIo.None, TestContext.Current.CancellationToken);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("/usr/bin/true", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("bwrap", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("setpriv", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("aisbx", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_wall_clock_limit_ends_every_process_including_detached_ones_and_exits_124()
    {
        var tag = Random.Shared.Next(100_000, 999_999).ToString(CultureInfo.InvariantCulture);
        var stopwatch = Stopwatch.StartNew();

        var result = await sandbox.ShAsync(
            $"setsid sleep 1{tag} & (sleep 2{tag} &) & nohup sleep 3{tag} >/dev/null 2>&1 & sleep 4{tag}",
            timeout: TimeSpan.FromSeconds(1));

        stopwatch.Stop();
        Assert.Equal(124, result.ExitCode);
        Assert.True(result.TimedOut);
        Assert.Contains(result.LimitHits, h => h.Limit == "wall-time" && h.Value == 1000);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10), $"took {stopwatch.Elapsed}");
        Assert.Empty(await HostProcesses.WaitUntilGoneAsync(tag));
    }

    [Fact]
    public async Task Detached_children_do_not_outlive_a_program_that_exits_normally()
    {
        var tag = Random.Shared.Next(100_000, 999_999).ToString(CultureInfo.InvariantCulture);

        var result = await sandbox.ShAsync($"setsid sleep 5{tag} & (sleep 6{tag} &) & echo started");

        Assert.Equal(0, result.ExitCode);
        Assert.Empty(await HostProcesses.WaitUntilGoneAsync(tag));
    }

    [Fact]
    public async Task Cancelling_a_run_ends_the_sandbox()
    {
        var tag = Random.Shared.Next(100_000, 999_999).ToString(CultureInfo.InvariantCulture);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var run = sandbox.Runner.RunAsync(
            new Core.Runs.RunRequest { Command = ["sleep", "7" + tag], CaptureOutput = true },
            RunIo.None,
            cancel.Token);
        await HostProcesses.WaitUntilRunningAsync(tag);

        await cancel.CancelAsync();
        var result = await run;

        Assert.Equal(137, result.ExitCode);
        Assert.Equal(9, result.Signal);
        Assert.Empty(await HostProcesses.WaitUntilGoneAsync(tag));
    }

    [Fact]
    public async Task The_program_leads_a_new_session_so_it_cannot_push_input_into_the_caller_terminal()
    {
        var result = await sandbox.PythonAttackAsync("""
            print(os.getsid(0))
            try:
                open('/dev/tty', 'rb')
                print('HAS-CONTROLLING-TTY')
            except OSError as e:
                print('no tty', e.errno)
            """);

        // The session belongs to the sandbox's own init (pid 1), with no controlling terminal (ENXIO).
        Assert.Equal("1\nno tty 6\n", result.Stdout);
    }

    [Fact]
    public async Task The_program_cannot_create_nested_user_namespaces()
    {
        var result = await sandbox.AttackAsync("unshare -U -r true 2>&1 && echo NESTED-USERNS; unshare -m true 2>&1 && echo NESTED-MOUNTNS; echo done");

        Assert.DoesNotContain("NESTED-", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("done", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Exit_codes_and_signals_of_the_program_come_back()
    {
        Assert.Equal(3, (await sandbox.ShAsync("exit 3")).ExitCode);

        var killed = await sandbox.ShAsync("kill -TERM $$");
        Assert.Equal(143, killed.ExitCode);
        Assert.Equal(15, killed.Signal);
    }

    [Fact]
    public async Task A_missing_command_is_127_and_a_non_executable_one_126()
    {
        var missing = await sandbox.RunAsync(["no-such-program-xyz"]);
        Assert.Equal(127, missing.ExitCode);
        Assert.Contains("command not found in profile 'default'", missing.Stderr, StringComparison.Ordinal);

        var workdir = sandbox.NewWorkdir();
        File.WriteAllText(Path.Combine(workdir, "script.sh"), "#!/bin/sh\necho hi\n");
        var notExecutable = await sandbox.RunAsync(["./script.sh"], workdir: workdir);
        Assert.Equal(126, notExecutable.ExitCode);
    }

    [Fact]
    public async Task A_sandbox_that_cannot_be_built_is_a_one_line_error_with_bubblewrap_s_reason()
    {
        var error = await Assert.ThrowsAsync<SandboxStartException>(() => sandbox.RunAsync(["true"], "unbuildable"));

        Assert.StartsWith("the sandbox could not start: bwrap: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("aisbx doctor", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public async Task Standard_input_reaches_the_program()
    {
        var result = await sandbox.RunAsync(["tr", "a-z", "A-Z"], stdin: "shout\n");

        Assert.Equal("SHOUT\n", result.Stdout);
    }

    private static async Task<bool> IsRootWithinAsync(string task)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            string[] status;
            try
            {
                status = await File.ReadAllLinesAsync(Path.Combine(task, "status"));
            }
            catch (IOException)
            {
                return true; // the thread has ended
            }

            if (status.First(l => l.StartsWith("Uid:", StringComparison.Ordinal)) == "Uid:\t0\t0\t0\t0"
                && status.First(l => l.StartsWith("Gid:", StringComparison.Ordinal)) == "Gid:\t0\t0\t0\t0")
            {
                return true;
            }

            await Task.Delay(10);
        }

        return false;
    }
}
