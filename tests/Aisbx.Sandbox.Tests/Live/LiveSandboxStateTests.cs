using System.Text;
using Aisbx.Sandbox.Live;

namespace Aisbx.Sandbox.Tests.Live;

/// <summary>A live sandbox keeps its files, processes and network namespace between execs; each exec has its own cwd and environment.</summary>
[Collection(nameof(RealSandboxes))]
public class LiveSandboxStateTests(SandboxFixture sandbox)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_file_written_by_one_exec_is_read_by_the_next()
    {
        // Arrange
        using var live = await sandbox.Runner.StartLiveAsync(new LiveSandboxRequest { Caller = "test" }, null, Cancel);

        // Act
        var write = await live.ExecAsync(Sh("echo kept > notes.txt; echo written"), Cancel);
        var read = await live.ExecAsync(Sh("cat /workspace/notes.txt"), Cancel);

        // Assert
        Assert.Equal(0, write.ExitCode);
        Assert.Equal("written\n", write.Stdout);
        Assert.Equal("kept\n", read.Stdout);
        Assert.Equal(live.Id, read.SandboxId);
    }

    [Fact]
    public async Task Each_exec_has_its_own_working_directory_and_environment()
    {
        // Arrange
        using var live = await sandbox.Runner.StartLiveAsync(new LiveSandboxRequest { Caller = "test", Env = Env("SHARED", "all") }, null, Cancel);
        await live.ExecAsync(Sh("mkdir -p sub/dir"), Cancel);

        // Act
        var inSub = await live.ExecAsync(Sh("pwd; echo $SHARED $OWN") with { WorkingDirectory = "sub/dir", Env = Env("OWN", "first") }, Cancel);
        var atRoot = await live.ExecAsync(Sh("pwd; echo $SHARED ${OWN:-unset}"), Cancel);

        // Assert
        Assert.Equal("/workspace/sub/dir\nall first\n", inSub.Stdout);
        Assert.Equal("/workspace\nall unset\n", atRoot.Stdout);
    }

    [Fact]
    public async Task A_server_started_in_the_background_answers_a_later_exec_over_loopback()
    {
        // Arrange
        using var live = await sandbox.Runner.StartLiveAsync(new LiveSandboxRequest { Profile = "python-dev", Caller = "test" }, null, Cancel);
        await live.WriteFileAsync("site/index.html", Encoding.UTF8.GetBytes("hello from the background"), 0x1A4, Cancel);

        // Act
        var server = await live.StartBackgroundAsync(new LiveExecRequest { Command = ["python3", "-m", "http.server", "8123", "--bind", "127.0.0.1", "-d", "site"] }, Cancel);
        var fetch = await live.ExecAsync(new LiveExecRequest
        {
            Command = ["python3", "-c", """
                import time, urllib.request
                for _ in range(100):
                    try:
                        print(urllib.request.urlopen('http://127.0.0.1:8123/index.html').read().decode()); break
                    except OSError:
                        time.sleep(0.05)
                """],
        }, Cancel);

        // Assert
        Assert.True(server.Pid > 1, "the background server has a pid inside the sandbox");
        Assert.Equal("hello from the background\n", fetch.Stdout);
        Assert.True(live.ReadOutput(server.Pid, 0, 0, 65536).Running);
    }

    [Fact]
    public async Task A_program_that_cannot_be_found_is_a_127_and_the_sandbox_lives_on()
    {
        // Arrange
        using var live = await sandbox.Runner.StartLiveAsync(new LiveSandboxRequest { Caller = "test" }, null, Cancel);

        // Act
        var missing = await live.ExecAsync(new LiveExecRequest { Command = ["no-such-program"] }, Cancel);
        var after = await live.ExecAsync(Sh("echo still here"), Cancel);

        // Assert
        Assert.Equal(127, missing.ExitCode);
        Assert.Contains("no-such-program", missing.Stderr, StringComparison.Ordinal);
        Assert.Equal("still here\n", after.Stdout);
    }

    internal static LiveExecRequest Sh(string script) => new() { Command = ["/bin/sh", "-c", script] };

    internal static System.Collections.Immutable.ImmutableSortedDictionary<string, string> Env(string name, string value) =>
        System.Collections.Immutable.ImmutableSortedDictionary<string, string>.Empty.Add(name, value);
}

/// <summary>The agent runs under each profile's filter itself: every built-in profile must let it do its work, with no violation.</summary>
[Collection(nameof(RealSandboxes))]
public class LiveSandboxProfileTests(SandboxFixture sandbox)
{
    [Theory]
    [InlineData("default")]
    [InlineData("strict")]
    [InlineData("minimal")]
    [InlineData("python-dev")]
    [InlineData("node-dev")]
    public async Task A_live_sandbox_of_each_built_in_profile_runs_execs_and_moves_files_without_a_violation(string profile)
    {
        // Arrange
        var events = new List<Core.Security.SecurityEvent>();
        using var live = await sandbox.Runner.StartLiveAsync(new LiveSandboxRequest { Profile = profile, Caller = "test" }, new EventList(events), TestContext.Current.CancellationToken);

        // Act
        await live.WriteFileAsync("dir/in.txt", "round trip"u8.ToArray(), 0x1A4, TestContext.Current.CancellationToken);
        var exec = await live.ExecAsync(new LiveExecRequest { Command = ["cat", "dir/in.txt"] }, TestContext.Current.CancellationToken);
        var background = await live.StartBackgroundAsync(new LiveExecRequest { Command = ["cat", "dir/in.txt"] }, TestContext.Current.CancellationToken);
        var waited = await live.WaitAsync(background.Pid, TestContext.Current.CancellationToken);
        var listing = await live.ListAsync("dir", TestContext.Current.CancellationToken);
        var back = await live.ReadFileAsync("dir/in.txt", 1024, TestContext.Current.CancellationToken);
        await live.RemoveAsync("dir", TestContext.Current.CancellationToken);
        var status = await live.StatusAsync(TestContext.Current.CancellationToken);

        // Assert
        Assert.Equal("round trip", exec.Stdout);
        Assert.Equal("round trip", waited.Stdout);
        Assert.Equal("in.txt", Assert.Single(listing.Entries).Name);
        Assert.Equal("round trip"u8.ToArray(), back);
        Assert.Equal("running", status.State);
        Assert.Empty(exec.Violations);
        Assert.DoesNotContain(events, e => e.Kind == Core.Security.SecurityEventKind.Violation);
    }

    private sealed class EventList(List<Core.Security.SecurityEvent> events) : Core.Security.ISecurityEventSink
    {
        public void Publish(Core.Security.SecurityEvent securityEvent)
        {
            lock (events)
            {
                events.Add(securityEvent);
            }
        }
    }
}
