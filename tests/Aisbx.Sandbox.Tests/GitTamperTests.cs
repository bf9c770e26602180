using System.Text;
using Aisbx.Core.Runs;
using Aisbx.Core.Security;

namespace Aisbx.Sandbox.Tests;

/// <summary>
/// After a run in a project, git on the host runs what the agent put in <c>.git/config</c> and <c>.git/hooks</c>,
/// as the user: such a change is a warning event, said at once, with the keys by name.
/// </summary>
[Collection(nameof(RealSandboxes))]
public class GitTamperTests(SandboxFixture sandbox)
{
    [Fact]
    public async Task A_run_that_sets_a_command_key_and_a_hook_in_the_workdir_s_repository_raises_a_warning_naming_them()
    {
        // Arrange
        var workdir = HostProject.CreateGitRepository(sandbox.NewWorkdir());

        // Act
        var (result, events) = await RunAsync(
            "git config core.fsmonitor 'touch /tmp/ran-on-the-host' && printf '#!/bin/sh\\n' > .git/hooks/pre-commit && chmod +x .git/hooks/pre-commit",
            workdir);

        // Assert
        Assert.True(result.ExitCode == 0, result.Stderr);
        var warning = Assert.Single(events, e => e.Kind == SecurityEventKind.GitConfigChanged);
        Assert.Equal(Severity.Medium, warning.Severity);
        Assert.Contains(".git/config", warning.Detail, StringComparison.Ordinal);
        Assert.Contains(".git/hooks/pre-commit", warning.Detail, StringComparison.Ordinal);
        Assert.Contains("core.fsmonitor", warning.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("ran-on-the-host", warning.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(workdir, warning.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ordinary_git_work_in_the_workdir_raises_no_warning()
    {
        var workdir = HostProject.CreateGitRepository(sandbox.NewWorkdir());

        var (result, events) = await RunAsync(
            "echo change >> hello.c && git status --short && git -c user.name=a -c user.email=a@example.com commit -qam change", workdir);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.DoesNotContain(events, e => e.Kind == SecurityEventKind.GitConfigChanged);
    }

    [Fact]
    public async Task A_config_change_that_runs_nothing_is_a_low_warning()
    {
        var workdir = HostProject.CreateGitRepository(sandbox.NewWorkdir());

        var (_, events) = await RunAsync("git config user.name agent", workdir);

        var warning = Assert.Single(events, e => e.Kind == SecurityEventKind.GitConfigChanged);
        Assert.Equal(Severity.Low, warning.Severity);
    }

    private async Task<(RunResult Result, List<SecurityEvent> Events)> RunAsync(string script, string workdir)
    {
        var events = new List<SecurityEvent>();
        var result = await sandbox.Runner.RunAsync(
            new RunRequest { Command = ["/bin/sh", "-c", script], Workdir = workdir, CaptureOutput = true },
            new RunIo { Events = new Collecting(events) },
            TestContext.Current.CancellationToken);
        return (result, events);
    }

    private sealed class Collecting(List<SecurityEvent> events) : ISecurityEventSink
    {
        public void Publish(SecurityEvent securityEvent)
        {
            lock (events)
            {
                events.Add(securityEvent);
            }
        }
    }
}
