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
