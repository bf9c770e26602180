using System.Diagnostics;
using System.Globalization;
using Aisbx.Sandbox.Host;
using static Aisbx.Sandbox.Interop.Interop;

namespace Aisbx.Sandbox.Tests;

/// <summary>
/// A project directory an agent works in, when aisbx is root: the program edits files in place and uses git, and
/// afterwards the project is the user's as before (owners, git on the host, no ACL entries, no set-id bits).
/// </summary>
[Collection(nameof(RealSandboxes))]
public class WorkdirOwnershipTests(SandboxFixture sandbox)
{
    private const string Git = "git -c user.name=agent -c user.email=agent@example.com";

    private int SandboxUid => sandbox.Config.SandboxUid;

    private int SandboxGid => sandbox.Config.SandboxGid;

    [Fact]
    public async Task An_agent_edits_and_commits_in_a_root_owned_project_and_afterwards_it_is_root_s_as_before()
    {
        Assert.SkipUnless(SandboxIdentity.CallerIsRoot, "only root lends a workdir to the sandbox uid");
        var workdir = HostProject.CreateGitRepository(sandbox.NewWorkdir());

        var result = await sandbox.ShAsync($"""
            set -e
            echo '/* edited in place */' >> hello.c
            sed -i 's/return 1/return 2/' src/lib.c
            mkdir build && echo object > build/lib.o
            git status --short
            git add -A
            {Git} commit -qm 'agent change'
            mkdir sub && cd sub && git init -q && echo x > f && git add f && {Git} commit -qm 'sub repo'
            echo finished
            """, workdir: workdir);

        Assert.True(result.ExitCode == 0, result.Stdout + result.Stderr);
        Assert.Equal(" M hello.c\n M src/lib.c\n?? build/\nfinished\n", result.Stdout);
        Assert.Empty(HostProject.NotOwnedBy(workdir, 0, 0));
        Assert.Equal("agent change\n", HostProject.Git(workdir, "log", "--format=%s", "-1"));
        Assert.Equal("?? sub/\n", HostProject.Git(workdir, "status", "--porcelain"));
        Assert.Equal("sub repo\n", HostProject.Git(Path.Combine(workdir, "sub"), "log", "--format=%s"));
        Assert.EndsWith("/* edited in place */\n", File.ReadAllText(Path.Combine(workdir, "hello.c")), StringComparison.Ordinal);
        Assert.Empty(HostProject.WithAclEntriesFor(workdir, SandboxUid, SandboxGid));
    }

    [Fact]
    public async Task While_it_runs_in_a_root_owned_project_the_program_is_the_sandbox_uid_on_the_host_never_root()
    {
        Assert.SkipUnless(SandboxIdentity.CallerIsRoot, "only root switches to an unprivileged uid");
        var workdir = HostProject.CreateGitRepository(sandbox.NewWorkdir());

        var uids = await HostUidsWhileRunning(workdir);

        Assert.All(uids, uid => Assert.Equal(SandboxUid.ToString(CultureInfo.InvariantCulture), uid));
    }

    [Fact]
    public async Task Set_id_files_made_inside_are_the_owner_s_afterwards_without_their_set_id_bits_at_any_depth_or_name()
    {
        Assert.SkipUnless(SandboxIdentity.CallerIsRoot, "only root lends a workdir to the sandbox uid");
        var workdir = sandbox.NewWorkdir();

        var result = await sandbox.ShAsync("""
            set -e
            cp /bin/sh tool && chmod 4755 tool
            touch group-tool && chmod 2755 group-tool
            mkdir shared && chmod 2775 shared
            odd="$(printf 'odd\377name')" && touch "$odd" && chmod 6755 "$odd"
            i=0; while [ $i -lt 1500 ]; do mkdir d; cd d; i=$((i+1)); done
            touch deep && chmod 4755 deep
            cd /workspace && find . -perm /6000 -type f | wc -l
            """, workdir: workdir);

        try
        {
            Assert.True(result.ExitCode == 0, result.Stderr);
            Assert.Equal("4\n", result.Stdout);
            Assert.Empty(HostProject.NotOwnedBy(workdir, 0, 0));
            Assert.Empty(HostProject.Find(workdir, "-type", "f", "-perm", "/6000"));
            Assert.Equal(0x1ED, HostProject.Lstat(Path.Combine(workdir, "tool")).Mode & 0xFFF);
            Assert.Equal(0x5FD, HostProject.Lstat(Path.Combine(workdir, "shared")).Mode & 0xFFF); // set-gid on a directory only passes its group on
        }
        finally
        {
            HostProject.Remove(workdir); // .NET cannot delete a name that is not UTF-8
        }
    }

    [Fact]
    public async Task No_ACL_entry_for_the_sandbox_uid_is_left_in_the_project_not_even_one_an_older_aisbx_granted()
    {
        Assert.SkipUnless(SandboxIdentity.CallerIsRoot, "only root lends a workdir to the sandbox uid");
        var workdir = sandbox.NewWorkdir();
        File.WriteAllText(Path.Combine(workdir, "kept.txt"), "kept");
        var sandboxEntry = $"user:{SandboxUid.ToString(CultureInfo.InvariantCulture)}:rwx";
        AclFile.Write(workdir, ACL_TYPE_ACCESS, [.. AclFile.Read(workdir, ACL_TYPE_ACCESS), sandboxEntry]);
        AclFile.Write(workdir, ACL_TYPE_DEFAULT, [.. AclFile.Read(workdir, ACL_TYPE_ACCESS).Where(l => !l.StartsWith("mask", StringComparison.Ordinal))]);

        // The program gives its own files ACL entries for its uid and gid (1000 inside, the sandbox uid outside).
        var result = await sandbox.PythonAttackAsync("""
            import struct
            def acl(*named):
                entries = [(1, 6, 0xFFFFFFFF)] + list(named) + [(4, 4, 0xFFFFFFFF), (0x10, 7, 0xFFFFFFFF), (0x20, 4, 0xFFFFFFFF)]
                return struct.pack('<I', 2) + b''.join(struct.pack('<HHI', *e) for e in sorted(entries))
            open('mine.txt', 'w').close()
            os.setxattr('mine.txt', 'system.posix_acl_access', acl((2, 7, 1000), (8, 7, 1000)))
            os.mkdir('inherits')
            os.setxattr('inherits', 'system.posix_acl_default', acl((2, 7, 1000)))
            open('inherits/child.txt', 'w').close()
            os.setxattr('kept.txt', 'system.posix_acl_access', acl((2, 7, 1000)))
            print('set')
            """, workdir);

        Assert.Equal("set\n", result.Stdout);
        Assert.Empty(HostProject.WithAclEntriesFor(workdir, SandboxUid, SandboxGid));
        Assert.Empty(AclFile.Read(workdir, ACL_TYPE_DEFAULT));
        Assert.Empty(HostProject.NotOwnedBy(workdir, 0, 0));
    }

    [Fact]
    public async Task A_symlink_in_the_project_never_leads_the_lending_or_the_give_back_to_a_host_file_outside()
    {
        Assert.SkipUnless(SandboxIdentity.CallerIsRoot, "only root lends a workdir to the sandbox uid");
        var outside = Directory.CreateDirectory(Path.Combine(sandbox.Root, "outside-" + Guid.NewGuid().ToString("N")[..6])).FullName;
        var rootsFile = Path.Combine(outside, "roots-file"); // what a symlink-following lend would hand to the sandbox
        File.WriteAllText(rootsFile, "ROOT-ONLY");
        File.SetUnixFileMode(rootsFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var baitDirectory = Directory.CreateDirectory(Path.Combine(outside, "bait")).FullName;
        var baitFile = Path.Combine(baitDirectory, "sandbox-uid-file"); // what a symlink-following give-back would hand to root
        File.WriteAllText(baitFile, "BAIT");
        HostProject.ChownTree(baitDirectory, SandboxUid, SandboxGid);
        File.SetUnixFileMode(baitFile, (UnixFileMode)0x9ED); // 04755
        var workdir = sandbox.NewWorkdir();
        File.CreateSymbolicLink(Path.Combine(workdir, "project-link"), rootsFile);
        File.CreateSymbolicLink(Path.Combine(workdir, "project-dir-link"), outside);
        string[] hostPaths = [rootsFile, outside, baitDirectory, baitFile];
        var changedBefore = hostPaths.Select(Changed).ToList();

        var result = await sandbox.AttackAsync($"""
            ln -s {baitFile} planted-file
            ln -s {baitDirectory} planted-dir
            mkdir nested && ln -s {outside} nested/up
            echo planted
            """, workdir: workdir);

        Assert.Equal("planted\n", result.Stdout);
        Assert.Equal(changedBefore, hostPaths.Select(Changed)); // No owner, mode or ACL change, not even one undone later.
        var roots = HostProject.Lstat(rootsFile);
        Assert.Equal((0u, 0u, 0x180), (roots.Uid, roots.Gid, roots.Mode & 0xFFF));
        var bait = HostProject.Lstat(baitFile);
        Assert.Equal(((uint)SandboxUid, (uint)SandboxGid, 0x9ED), (bait.Uid, bait.Gid, bait.Mode & 0xFFF));
        Assert.Equal((uint)SandboxUid, HostProject.Lstat(baitDirectory).Uid);
        Assert.False(AclFile.IsExtended(rootsFile) || AclFile.IsExtended(baitFile) || AclFile.IsExtended(outside));
        Assert.Equal(0u, HostProject.Lstat(Path.Combine(workdir, "planted-file")).Uid);
        Assert.Empty(HostProject.NotOwnedBy(workdir, 0, 0));
    }

    [Fact]
    public async Task A_mount_inside_the_project_is_never_entered_by_the_lending_or_the_give_back()
    {
        Assert.SkipUnless(SandboxIdentity.CallerIsRoot, "only root lends a workdir to the sandbox uid");
        var outside = Directory.CreateDirectory(Path.Combine(sandbox.Root, "outside-" + Guid.NewGuid().ToString("N")[..6])).FullName;
        var hostFile = Path.Combine(outside, "host-file");
        File.WriteAllText(hostFile, "HOST");
        var workdir = sandbox.NewWorkdir();
        var mountPoint = Directory.CreateDirectory(Path.Combine(workdir, "mnt")).FullName;
        Assert.Equal(0, Process.Start("mount", ["--bind", outside, mountPoint])!.WaitForExitAndCode());
        try
        {
            string[] hostPaths = [outside, hostFile];
            var changedBefore = hostPaths.Select(Changed).ToList();

            var result = await sandbox.AttackAsync("echo changed >> mnt/host-file 2>/dev/null && echo WROTE; echo done", workdir: workdir);

            Assert.Equal("done\n", result.Stdout);
            Assert.Equal(changedBefore, hostPaths.Select(Changed));
            Assert.Equal("HOST", File.ReadAllText(hostFile));
        }
        finally
        {
            _ = Process.Start("umount", [mountPoint])!.WaitForExitAndCode();
        }
    }

    [Fact]
    public async Task A_hard_linked_file_in_the_project_is_never_lent_to_the_sandbox()
    {
        Assert.SkipUnless(SandboxIdentity.CallerIsRoot, "only root lends a workdir to the sandbox uid");
        var outside = Directory.CreateDirectory(Path.Combine(sandbox.Root, "outside-" + Guid.NewGuid().ToString("N")[..6])).FullName;
        var secret = Path.Combine(outside, "secret");
        File.WriteAllText(secret, "HOST-SECRET");
        File.SetUnixFileMode(secret, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var workdir = sandbox.NewWorkdir();
        Assert.Equal(0, Process.Start("ln", [secret, Path.Combine(workdir, "linked")])!.WaitForExitAndCode());

        var result = await sandbox.AttackAsync("""
            cat linked 2>/dev/null && echo LEAK
            echo overwritten >> linked 2>/dev/null && echo WROTE
            chmod 666 linked 2>/dev/null && echo CHMOD
            echo done
            """, workdir: workdir);

        Assert.Equal("done\n", result.Stdout);
        Assert.Equal("HOST-SECRET", File.ReadAllText(secret));
        var status = HostProject.Lstat(secret);
        Assert.Equal((0u, 0u, 0x180, 2u), (status.Uid, status.Gid, status.Mode & 0xFFF, status.Nlink));
    }

    [Fact]
    public async Task A_project_of_a_non_root_owner_is_worked_on_as_that_owner_and_stays_its_own()
    {
        Assert.SkipUnless(SandboxIdentity.CallerIsRoot, "only root chooses who the sandbox runs as");
        var workdir = HostProject.CreateGitRepository(sandbox.NewWorkdir());
        HostProject.ChownTree(workdir, 1234, 1234);

        var result = await sandbox.ShAsync($"""
            set -e
            stat -c '%u:%g' /workspace hello.c
            echo '/* edited */' >> hello.c
            {Git} commit -qam 'agent change'
            echo new > new.txt
            echo finished
            """, workdir: workdir);

        Assert.True(result.ExitCode == 0, result.Stdout + result.Stderr);
        Assert.Equal("1000:1000\n1000:1000\nfinished\n", result.Stdout);
        Assert.Empty(HostProject.NotOwnedBy(workdir, 1234, 1234));
        var journals = Path.Combine(sandbox.Config.StateDirectory, "workdirs");
        Assert.False(Directory.Exists(journals) && Directory.EnumerateFiles(journals).Any(), "a run as the owner lends nothing");
        Assert.Equal("agent change\n", HostGitAs(1234, workdir, "log", "--format=%s", "-1"));
    }

    [Fact]
    public async Task A_sandbox_in_a_non_root_owner_s_project_runs_on_the_host_as_that_owner()
    {
        Assert.SkipUnless(SandboxIdentity.CallerIsRoot, "only root chooses who the sandbox runs as");
        var workdir = sandbox.NewWorkdir();
        HostProject.ChownTree(workdir, 1234, 1234);

        var uids = await HostUidsWhileRunning(workdir);

        Assert.All(uids, uid => Assert.Equal("1234", uid));
    }

    [Fact]
    public async Task A_project_whose_group_is_root_is_lent_to_the_sandbox_uid_and_given_back_to_its_owner()
    {
        Assert.SkipUnless(SandboxIdentity.CallerIsRoot, "only root lends a workdir to the sandbox uid");
        var workdir = HostProject.CreateGitRepository(sandbox.NewWorkdir());
        HostProject.ChownTree(workdir, 1234, 0);

        var result = await sandbox.ShAsync($"""
            set -e
            echo '/* edited */' >> hello.c
            {Git} commit -qam 'agent change'
            echo new > new.txt
            echo finished
            """, workdir: workdir);

        Assert.True(result.ExitCode == 0, result.Stdout + result.Stderr);
        Assert.Empty(HostProject.NotOwnedBy(workdir, 1234, 0));
        Assert.Equal("agent change\n", HostGitAs(1234, workdir, "log", "--format=%s", "-1"));
    }

    [Fact]
    public async Task Runs_in_one_project_at_once_share_it_and_the_last_one_out_gives_it_back()
    {
        Assert.SkipUnless(SandboxIdentity.CallerIsRoot, "only root lends a workdir to the sandbox uid");
        var workdir = HostProject.CreateGitRepository(sandbox.NewWorkdir());
        var first = sandbox.ShAsync("""
            touch first-started
            while [ ! -e go-on ]; do sleep 0.02; done
            echo from-first >> hello.c && echo first-wrote
            """, workdir: workdir);
        for (var i = 0; i < 200 && !File.Exists(Path.Combine(workdir, "first-started")); i++)
        {
            await Task.Delay(25, TestContext.Current.CancellationToken);
        }

        var second = await sandbox.ShAsync("echo from-second >> hello.c && echo second-wrote", workdir: workdir);
        var lentWhileFirstRuns = HostProject.Lstat(Path.Combine(workdir, "hello.c")).Uid;
        File.WriteAllText(Path.Combine(workdir, "go-on"), "");
        var firstResult = await first;

        Assert.Equal("second-wrote\n", second.Stdout);
        Assert.Equal((uint)SandboxUid, lentWhileFirstRuns);
        Assert.Equal("first-wrote\n", firstResult.Stdout);
        Assert.EndsWith("from-second\nfrom-first\n", File.ReadAllText(Path.Combine(workdir, "hello.c")), StringComparison.Ordinal);
        Assert.Empty(HostProject.NotOwnedBy(workdir, 0, 0));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(sandbox.Config.StateDirectory, "workdirs")));
    }

    [Fact]
    public async Task Git_in_the_sandbox_accepts_a_repository_whatever_its_owner_on_the_host()
    {
        Assert.SkipUnless(SandboxIdentity.CallerIsRoot, "giving the repository another owner needs root");
        var workdir = sandbox.NewWorkdir();
        var other = HostProject.CreateGitRepository(Directory.CreateDirectory(Path.Combine(workdir, "vendor")).FullName);
        HostProject.ChownTree(other, 4321, 4321);

        var result = await sandbox.ShAsync("git -C vendor log --format=%s", workdir: workdir);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal("initial\n", result.Stdout);
    }

    private static (long, uint) Changed(string path)
    {
        var status = HostProject.Lstat(path);
        return (status.ChangedSeconds, status.ChangedNanoseconds);
    }

    /// <summary>The real, effective, saved and filesystem uids of a sandboxed process seen from the host.</summary>
    private async Task<string[]> HostUidsWhileRunning(string workdir)
    {
        var tag = Random.Shared.Next(100_000, 999_999).ToString(CultureInfo.InvariantCulture);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var run = sandbox.Runner.RunAsync(new Core.Runs.RunRequest { Command = ["sleep", "8" + tag], Workdir = workdir, CaptureOutput = true }, RunIo.None, cancel.Token);
        try
        {
            await HostProcesses.WaitUntilRunningAsync(tag);
            var status = File.ReadAllLines($"/proc/{HostProcesses.Matching(tag)[0]}/status");
            return status.First(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t', StringSplitOptions.RemoveEmptyEntries)[1..];
        }
        finally
        {
            await cancel.CancelAsync();
            await run;
        }
    }

    private static string HostGitAs(int uid, string directory, params string[] args)
    {
        var id = uid.ToString(CultureInfo.InvariantCulture);
        var info = new ProcessStartInfo("setpriv") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in (string[])["--reuid=" + id, "--regid=" + id, "--clear-groups", "--", "git", "-C", directory, .. args])
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["HOME"] = "/nonexistent";
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEnd();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 ? stdout : throw new InvalidOperationException($"git as {id} failed: {stderr}");
    }
}

internal static class ProcessExtensions
{
    public static int WaitForExitAndCode(this Process process)
    {
        using (process)
        {
            process.WaitForExit();
            return process.ExitCode;
        }
    }
}
