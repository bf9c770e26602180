using Aisbx.Sandbox.Host;

namespace Aisbx.Sandbox.Tests;

[Collection(nameof(RealSandboxes))]
public class FilesystemIsolationTests(SandboxFixture sandbox)
{
    [Fact]
    public async Task The_program_cannot_read_etc_shadow_host_homes_or_the_config_dir()
    {
        var result = await sandbox.AttackAsync($"""
            for f in /etc/shadow /etc/gshadow /root/.bashrc /root/.ssh {sandbox.ConfigDirectory}/secret.txt; do
              if cat "$f" 2>/dev/null || ls "$f" 2>/dev/null; then echo "LEAK $f"; fi
            done
            ls -A /home /root 2>/dev/null | grep -v -e '^$' -e ':$' && echo "LEAK home listing"
            echo done
            """);

        Assert.Equal(0, result.ExitCode);
        Assert.DoesNotContain("LEAK", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("TOP-SECRET-CONFIG", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("done", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_program_cannot_write_outside_the_workspace_and_the_host_sees_nothing()
    {
        var marker = "aisbx-probe-" + Guid.NewGuid().ToString("N")[..8];
        var targets = new[] { "/", "/usr", "/usr/local/bin", "/etc", "/root", "/var/tmp", "/opt", sandbox.ConfigDirectory };

        var result = await sandbox.AttackAsync(string.Join('\n', targets.Select(t => $"touch '{t}/{marker}' 2>/dev/null && echo WROTE {t}")) + "\necho ok > /workspace/inside && echo WS-OK");

        Assert.DoesNotContain("WROTE", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("WS-OK", result.Stdout, StringComparison.Ordinal);
        foreach (var target in targets)
        {
            Assert.False(File.Exists(Path.Combine(target, marker)), $"{target}/{marker} appeared on the host");
        }
    }

    [Fact]
    public async Task Tmp_is_a_private_size_capped_tmpfs()
    {
        var result = await sandbox.ShAsync("df -k /tmp | tail -1; dd if=/dev/zero of=/tmp/fill bs=1M count=100 2>&1; stat -c %s /tmp/fill");

        Assert.Contains("tmpfs", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("No space left on device", result.Stdout, StringComparison.Ordinal);
        Assert.EndsWith($"{64L << 20}\n", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dev_is_read_only_and_shared_memory_is_capped_like_tmp()
    {
        var result = await sandbox.ShAsync("touch /dev/planted 2>/dev/null && echo DEV-WRITABLE; echo ok > /dev/null && echo null-ok; df -k /dev/shm | tail -1; dd if=/dev/zero of=/dev/shm/fill bs=1M count=100 2>&1 | grep -c 'No space'");

        Assert.DoesNotContain("DEV-WRITABLE", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("null-ok", result.Stdout, StringComparison.Ordinal);
        Assert.Contains($" {64 * 1024} ", result.Stdout, StringComparison.Ordinal);
        Assert.EndsWith("1\n", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_sandbox_has_a_fresh_proc_a_minimal_dev_and_no_sys()
    {
        var result = await sandbox.ShAsync("ls /dev | tr '\\n' ' '; echo; ls /sys 2>&1 | head -1; ls /proc | grep -c '^[0-9]'");

        var lines = result.Stdout.Split('\n');
        Assert.DoesNotContain("sda", lines[0], StringComparison.Ordinal);
        Assert.Contains("null", lines[0], StringComparison.Ordinal);
        Assert.Contains("No such file", lines[1], StringComparison.Ordinal);
        Assert.True(int.Parse(lines[2], System.Globalization.CultureInfo.InvariantCulture) < 10, $"the sandbox sees {lines[2]} processes");
    }

    [Fact]
    public async Task Proc_sys_and_sysrq_cannot_be_opened_for_writing_even_when_the_tests_run_as_root()
    {
        var result = await sandbox.PythonAttackAsync("""
            for path in ['/proc/sys/kernel/core_pattern', '/proc/sysrq-trigger', '/proc/sys/kernel/hostname']:
                try:
                    open(path, 'w').close()
                    print('OPENED', path)
                except OSError as e:
                    print('refused', path, e.errno)
            """);

        Assert.DoesNotContain("OPENED", result.Stdout, StringComparison.Ordinal);
        Assert.Equal(3, result.Stdout.Split('\n').Count(l => l.StartsWith("refused", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_symlink_in_the_workdir_that_points_outside_stays_harmless()
    {
        var workdir = sandbox.NewWorkdir();
        var hostFile = Path.Combine(sandbox.Root, "host-file.txt");
        File.WriteAllText(hostFile, "HOST-CONTENT");
        File.CreateSymbolicLink(Path.Combine(workdir, "to-shadow"), "/etc/shadow");
        File.CreateSymbolicLink(Path.Combine(workdir, "to-host-file"), hostFile);
        File.CreateSymbolicLink(Path.Combine(workdir, "to-config"), sandbox.ConfigDirectory);

        var result = await sandbox.AttackAsync("""
            cat to-shadow 2>/dev/null && echo LEAK-shadow
            cat to-host-file 2>/dev/null && echo LEAK-file
            ls to-config/ 2>/dev/null && echo LEAK-config
            echo overwritten > to-host-file 2>/dev/null
            echo done
            """, workdir: workdir);

        Assert.DoesNotContain("LEAK", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("HOST-CONTENT", result.Stdout, StringComparison.Ordinal);
        Assert.Equal("HOST-CONTENT", File.ReadAllText(hostFile));
    }

    [Fact]
    public async Task A_file_the_program_creates_in_the_workdir_is_owned_on_the_host_by_the_workdir_s_owner_after_the_run()
    {
        var workdir = sandbox.NewWorkdir();

        var result = await sandbox.ShAsync("echo hello > made-inside.txt; id -u", workdir: workdir);

        Assert.Equal("1000\n", result.Stdout);
        var status = FileStatus.OfPath(Path.Combine(workdir, "made-inside.txt"));
        Assert.NotNull(status);
        Assert.Equal(FileStatus.OfPath(workdir)!.Value.Uid, status.Value.Uid);
        Assert.Equal(FileStatus.OfPath(workdir)!.Value.Gid, status.Value.Gid);
    }

    [Fact]
    public async Task A_workdir_below_a_directory_the_sandbox_uid_cannot_traverse_still_works()
    {
        Assert.SkipUnless(SandboxIdentity.CallerIsRoot, "only root switches to an unprivileged uid");
        var locked = Path.Combine(sandbox.WorkRoot, "locked-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(locked, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var workdir = Path.Combine(locked, "project");
        Directory.CreateDirectory(workdir);
        File.WriteAllText(Path.Combine(workdir, "input.txt"), "from-host");

        var result = await sandbox.ShAsync("cat input.txt && echo from-sandbox > output.txt && echo written", workdir: workdir);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("from-hostwritten\n", result.Stdout);
        Assert.Equal("from-sandbox\n", File.ReadAllText(Path.Combine(workdir, "output.txt")));
    }

    [Fact]
    public async Task A_fresh_workspace_is_used_and_removed_when_no_workdir_is_given()
    {
        var result = await sandbox.ShAsync("echo data > /workspace/f && pwd && ls /workspace");

        Assert.Equal("/workspace\nf\n", result.Stdout);
        Assert.False(Directory.Exists(Path.Combine(sandbox.Config.WorkspaceBase, result.SandboxId)));
    }
}
