using System.Diagnostics;
using System.Globalization;
using Aisbx.Core.Configuration;
using Aisbx.Sandbox.Host;
using Aisbx.Tests.Shared;

namespace Aisbx.Cli.Tests;

/// <summary>
/// A project an agent works in through <c>aisbx run --workdir</c> as root, and what is left of it afterwards: the
/// user's owners, a repository the host's git accepts, no set-id bits, even when aisbx was killed mid-run.
/// </summary>
public class WorkdirSpecs(AisbxBinary aisbx) : IClassFixture<AisbxBinary>
{
    private const string Git = "git -c user.name=agent -c user.email=agent@example.com";

    private static bool IsRoot => Environment.UserName == "root";

    [Fact]
    public async Task An_agent_edits_and_commits_in_a_root_owned_project_and_root_s_git_works_in_it_afterwards()
    {
        Assert.SkipUnless(IsRoot, "only root lends a workdir to the sandbox uid");
        var workdir = GitProject(aisbx.NewWorkdir());

        var (exitCode, stdout, stderr) = await aisbx.RunAsync("run", "-w", workdir, "--", "sh", "-c", $"""
            set -e
            echo '/* edited in place */' >> hello.c
            sed -i 's/main/entry/' hello.c
            echo new > notes.txt
            cp /bin/sh tool && chmod 4755 tool
            git add -A && {Git} commit -qm 'agent change' && git log --format=%s -1
            """);

        Assert.True(exitCode == 0, stderr);
        Assert.Equal("agent change\n", stdout);
        Assert.Equal("", Host("find", workdir, "(", "!", "-uid", "0", "-o", "!", "-gid", "0", "-o", "-perm", "/6000", ")", "-print"));
        Assert.Equal("agent change\n", Host("git", "-C", workdir, "log", "--format=%s", "-1"));
        Assert.Equal("", Host("git", "-C", workdir, "status", "--porcelain"));
    }

    [Fact]
    public async Task A_user_s_project_stays_that_user_s_and_so_do_the_files_the_agent_makes()
    {
        Assert.SkipUnless(IsRoot, "only root chooses who the sandbox runs as");
        var workdir = GitProject(aisbx.NewWorkdir());
        Host("chown", "-R", "1234:1234", workdir);

        var (exitCode, stdout, stderr) = await aisbx.RunAsync("run", "-w", workdir, "--", "sh", "-c", $"""
            set -e
            echo '/* edited */' >> hello.c
            echo new > notes.txt
            {Git} commit -qam 'agent change' && git log --format=%s -1
            """);

        Assert.True(exitCode == 0, stderr);
        Assert.Equal("agent change\n", stdout);
        Assert.Equal("", Host("find", workdir, "(", "!", "-uid", "1234", "-o", "!", "-gid", "1234", ")", "-print"));
    }

    [Fact]
    public async Task A_workdir_left_lent_by_a_killed_aisbx_is_given_back_by_the_sweep_and_a_live_one_is_left_alone()
    {
        Assert.SkipUnless(IsRoot, "only root lends a workdir to the sandbox uid");
        var workdir = aisbx.NewWorkdir();
        File.WriteAllText(Path.Combine(workdir, "hello.c"), "int main(void) { return 0; }\n");
        var config = AisbxConfigLoader.Load(aisbx.ConfigDirectory);
        var lent = $"{config.SandboxUid.ToString(CultureInfo.InvariantCulture)}:0";
        var tag = await StartAndKill(workdir, "cp /bin/sh made && chmod 4755 made", sweepWhileLive: true, config);

        Assert.Equal(lent, Host("stat", "-c", "%u:%g", Path.Combine(workdir, "hello.c")).Trim());
        var restored = WorkdirRestore.SweepAbandoned(config);

        var single = Assert.Single(restored);
        Assert.Equal((workdir, true), (single.Workdir, single.Restored));
        Assert.Equal("", Host("find", workdir, "(", "!", "-uid", "0", "-o", "!", "-gid", "0", "-o", "-perm", "/6000", ")", "-print"));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(config.StateDirectory, "workdirs")));
        Assert.Empty(WorkdirRestore.SweepAbandoned(config));
        Assert.Equal(0, HostCommands.Sleepers(tag));
    }

    [Fact]
    public async Task A_workdir_left_lent_by_a_killed_aisbx_is_given_back_by_the_next_run_in_it()
    {
        Assert.SkipUnless(IsRoot, "only root lends a workdir to the sandbox uid");
        var workdir = aisbx.NewWorkdir();
        var config = AisbxConfigLoader.Load(aisbx.ConfigDirectory);
        _ = await StartAndKill(workdir, "echo made > made.txt", sweepWhileLive: false, config);
        Assert.NotEqual("", Host("find", workdir, "-uid", config.SandboxUid.ToString(CultureInfo.InvariantCulture), "-print"));

        var (exitCode, _, stderr) = await aisbx.RunAsync("run", "-w", workdir, "--", "true");

        Assert.True(exitCode == 0, stderr);
        Assert.Equal("", Host("find", workdir, "(", "!", "-uid", "0", "-o", "!", "-gid", "0", ")", "-print"));
    }

    /// <summary>Starts a run that does <paramref name="script"/> and then waits, SIGKILLs aisbx once the script is done, and waits until the sandbox is gone.</summary>
    private async Task<string> StartAndKill(string workdir, string script, bool sweepWhileLive, AisbxConfig config)
    {
        var tag = Random.Shared.Next(100_000, 999_999).ToString(CultureInfo.InvariantCulture);
        using var process = aisbx.Start("run", "-w", workdir, "--", "sh", "-c", $"{script} && echo ready && exec sleep 1{tag}");
        process.StandardInput.Close();
        Assert.Equal("ready", await process.StandardOutput.ReadLineAsync(TestContext.Current.CancellationToken));
        if (sweepWhileLive)
        {
            Assert.Empty(WorkdirRestore.SweepAbandoned(config));
        }

        process.Kill();
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        for (var i = 0; i < 50 && HostCommands.Sleepers(tag) > 0; i++)
        {
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        Assert.Equal(0, HostCommands.Sleepers(tag));
        return tag;
    }

    private static string GitProject(string directory)
    {
        File.WriteAllText(Path.Combine(directory, "hello.c"), "int main(void) { return 0; }\n");
        Host("git", "-C", directory, "init", "-q");
        Host("git", "-C", directory, "add", "-A");
        Host("git", "-C", directory, "-c", "user.name=host", "-c", "user.email=host@example.com", "commit", "-qm", "initial");
        return directory;
    }

    /// <summary>Runs a host program as the test's own user; its stdout, or a failure with its stderr.</summary>
    private static string Host(string program, params string[] args)
    {
        var (exitCode, stdout, stderr) = HostCommands.Run(program, args);
        Assert.True(exitCode == 0, $"{program} {string.Join(' ', args)}: {stderr}");
        return stdout;
    }
}
