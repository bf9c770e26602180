using System.Diagnostics;
using System.Globalization;
using Aisbx.Core.Security;
using Aisbx.Sandbox.Host;
using Aisbx.Sandbox.Limits;

namespace Aisbx.Sandbox.Tests;

/// <summary>The start-up sweep tells a dead owner's sandbox from a live one's by its lease.</summary>
[Collection(nameof(RealSandboxes))]
public sealed class LeftoverSweepTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("aisbx-sweep-tests-").FullName;
    private readonly SandboxRunner _runner;
    private readonly Core.Configuration.AisbxConfig _config;

    /// <summary>
    /// A workspace base of these tests' own: every aisbx on the host (other test processes included) sweeps a dead
    /// owner's leftovers in the shared base, and would take these before this runner could.
    /// </summary>
    public LeftoverSweepTests(SandboxFixture sandbox)
    {
        _config = sandbox.Config with { WorkspaceBase = Path.Combine(_temp, "workspaces") };
        Directory.CreateDirectory(_config.WorkspaceBase, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        _runner = new SandboxRunner(_config, new Core.Profiles.ProfileCatalog(_config.ProfilesDirectory));
    }

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Fact]
    public void A_sandbox_whose_lease_names_a_dead_process_loses_its_workspace_and_cgroups_at_once_with_an_event_each()
    {
        // Arrange: a pid that cannot be alive (above pid_max) owns a workspace and groups made a moment ago.
        var (sandboxId, workspace, groups) = Leftover("999999999 1");
        var events = new List<SecurityEvent>();

        // Act
        _runner.SweepLeftovers(new CollectingSink(events), "test");

        // Assert
        Assert.False(Directory.Exists(workspace));
        Assert.False(File.Exists(workspace + SandboxLease.Suffix));
        Assert.All(groups, group => Assert.False(Directory.Exists(group), group));
        Assert.Equal(1 + groups.Count, events.Count(e => e.Kind == SecurityEventKind.Sweep && e.SandboxId == sandboxId));
    }

    [Fact]
    public void A_process_left_in_a_dead_aisbx_s_group_is_killed_and_the_group_removed()
    {
        // Arrange: what a bubblewrap stuck in its start looks like once its aisbx is gone: a process in the group.
        Assert.SkipUnless(CgroupHost.ParentDirectories().Any(), "no cgroups here");
        var (sandboxId, _, groups) = Leftover("999999999 1");
        using var stuck = Process.Start("/bin/sleep", "300")!;
        File.WriteAllText(Path.Combine(groups[0], "cgroup.procs"), stuck.Id.ToString(CultureInfo.InvariantCulture));

        // Act
        _runner.SweepLeftovers(null, "test");

        // Assert
        Assert.True(stuck.WaitForExit(5000), "the process in the group was left running");
        Assert.All(groups, group => Assert.False(Directory.Exists(group), group));
        Assert.False(File.Exists(Path.Combine(_config.WorkspaceBase, sandboxId) + SandboxLease.Suffix));
    }

    [Fact]
    public void A_sandbox_leased_by_a_live_process_is_left_alone()
    {
        // Arrange: this test process, with its real start time, owns it.
        var (_, workspace, groups) = Leftover(ProcessStampOfSelf());
        try
        {
            // Act
            _runner.SweepLeftovers(null, "test");

            // Assert
            Assert.True(File.Exists(Path.Combine(workspace, "data")));
            Assert.All(groups, group => Assert.True(Directory.Exists(group), group));
        }
        finally
        {
            Directory.Delete(workspace, recursive: true);
            File.Delete(workspace + SandboxLease.Suffix);
            groups.ForEach(Directory.Delete);
        }
    }

    [Fact]
    public void A_lease_whose_pid_was_reused_by_another_process_counts_as_dead()
    {
        // Arrange: this process's pid, but a start time it does not have.
        var (_, workspace, _) = Leftover($"{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)} 1");

        // Act
        _runner.SweepLeftovers(null, "test");

        // Assert
        Assert.False(Directory.Exists(workspace));
    }

    private (string SandboxId, string Workspace, List<string> Groups) Leftover(string ownerStamp)
    {
        var sandboxId = "sbx-" + Guid.NewGuid().ToString("N");
        var workspace = Path.Combine(_config.WorkspaceBase, sandboxId);
        Directory.CreateDirectory(workspace);
        File.WriteAllText(Path.Combine(workspace, "data"), "the program's data");
        File.WriteAllText(workspace + SandboxLease.Suffix, ownerStamp);
        List<string> groups = [.. CgroupHost.ParentDirectories().Select(parent => Path.Combine(parent, sandboxId))];
        groups.ForEach(group => Directory.CreateDirectory(group));
        return (sandboxId, workspace, groups);
    }

    private static string ProcessStampOfSelf()
    {
        var stat = File.ReadAllText("/proc/self/stat");
        return $"{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)} {stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[19]}";
    }

    private sealed class CollectingSink(List<SecurityEvent> events) : ISecurityEventSink
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
