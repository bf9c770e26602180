using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Aisbx.Cli.Tests;

/// <summary>
/// <c>aisbx sandbox create|list|exec|logs|cp|rm</c>, the built binary against the built server over real HTTP on
/// 127.0.0.1, with a real key and real sandboxes behind it.
/// </summary>
public class SandboxCommandSpecs(SandboxServer server) : IClassFixture<SandboxServer>
{
    /// <summary>A path of that name in a directory of its own (under the fixture's root, removed with it).</summary>
    private string Local(string name) => Path.Combine(server.Aisbx.NewWorkdir(), name);

    [Fact]
    public async Task A_sandbox_is_created_given_a_file_run_with_stdin_copied_out_listed_and_removed_and_then_says_it_was_closed()
    {
        // Arrange
        var script = Local("shout.sh");
        var copied = Local("out.txt");
        File.WriteAllText(script, "#!/bin/sh\ntr a-z A-Z | tee out.txt\necho done >&2\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        // Act
        var create = await server.SandboxAsync("", "create");
        var id = create.Stdout.Trim();
        var copyIn = await server.SandboxAsync("", "cp", script, $"{id}:tools/");
        var exec = await server.SandboxAsync("hello from a pipe\n", "exec", id, "--cwd", "tools", "--", "./shout.sh");
        var copyOut = await server.SandboxAsync("", "cp", $"{id}:tools/out.txt", copied);
        var list = await server.SandboxAsync("", "list");
        var remove = await server.SandboxAsync("", "rm", id);
        var after = await server.SandboxAsync("", "exec", id, "--", "true");

        // Assert
        Assert.True(create.ExitCode == 0, create.Stderr);
        Assert.Matches("^sbx-[0-9a-f]{32}\n$", create.Stdout);
        Assert.True(copyIn.ExitCode == 0, copyIn.Stderr);
        Assert.True(exec.ExitCode == 0, exec.Stderr);
        Assert.Equal("HELLO FROM A PIPE\n", exec.Stdout);
        Assert.Equal("done\n", exec.Stderr);
        Assert.True(copyOut.ExitCode == 0, copyOut.Stderr);
        Assert.Equal("HELLO FROM A PIPE\n", File.ReadAllText(copied));
        Assert.Contains(list.Stdout.Split('\n'), line => line.StartsWith(id, StringComparison.Ordinal) && line.Contains("running", StringComparison.Ordinal));
        Assert.StartsWith("ID ", list.Stdout, StringComparison.Ordinal);
        Assert.True(remove.ExitCode == 0, remove.Stderr);
        Assert.Equal(125, after.ExitCode);
        Assert.Equal("", after.Stdout);
        var line = Assert.Single(after.Stderr.TrimEnd('\n').Split('\n'));
        Assert.Equal($"aisbx: refused (sandbox-ended): sandbox {id} was closed: create a new sandbox", line);
    }

    [Fact]
    public async Task Exec_passes_the_program_s_output_and_exit_code_through_and_a_timeout_kills_only_that_exec()
    {
        // Arrange
        var id = await CreateAsync();

        // Act
        var exited = await server.SandboxAsync("", "exec", id, "--", "sh", "-c", "echo out; echo err >&2; exit 7");
        var signalled = await server.SandboxAsync("", "exec", id, "--", "sh", "-c", "kill -TERM $$");
        var timedOut = await server.SandboxAsync("", "exec", id, "--timeout", "300ms", "--", "sleep", "30");
        var missing = await server.SandboxAsync("", "exec", id, "--", "no-such-program");
        var still = await server.SandboxAsync("", "exec", id, "-e", "GREETING=hi", "--", "sh", "-c", "echo $GREETING");
        var document = await server.SandboxAsync("", "exec", id, "--json", "--", "sh", "-c", "exit 3");

        // Assert
        Assert.Equal((7, "out\n", "err\n"), exited);
        Assert.Equal(143, signalled.ExitCode);
        Assert.Equal(124, timedOut.ExitCode);
        Assert.Contains("aisbx: limit reached: wall-time", timedOut.Stderr, StringComparison.Ordinal);
        Assert.Equal(127, missing.ExitCode);
        Assert.Equal((0, "hi\n"), (still.ExitCode, still.Stdout));
        Assert.Equal(3, document.ExitCode);
        using var result = JsonDocument.Parse(document.Stdout);
        Assert.Equal(3, result.RootElement.GetProperty("exitCode").GetInt32());
        Assert.Equal(id, result.RootElement.GetProperty("sandboxId").GetString());
        await server.SandboxAsync("", "rm", id);
    }

    [Fact]
    public async Task A_background_process_prints_its_id_and_its_output_is_followed_until_it_ends_with_its_code()
    {
        // Arrange
        var id = await CreateAsync();

        // Act
        var started = await server.SandboxAsync("", "exec", id, "--background", "--", "sh", "-c", "echo one; echo two >&2; touch ready; exec sleep 60");
        var pid = started.Stdout.Trim();
        // Another exec, in the same sandbox meanwhile, waits for the marker (no sleep in the test) and signals the process.
        var signal = await server.SandboxAsync("", "exec", id, "--", "sh", "-c", $"while [ ! -e ready ]; do sleep 0.01; done; kill -TERM {pid}; echo sent");
        var followed = await server.SandboxAsync("", "logs", id, pid, "--follow");
        var again = await server.SandboxAsync("", "logs", id, pid);

        // Assert
        Assert.True(started.ExitCode == 0, started.Stderr);
        Assert.Matches("^[0-9]+\n$", started.Stdout);
        Assert.Equal("sent\n", signal.Stdout);
        Assert.Equal(143, followed.ExitCode);
        Assert.Equal("one\n", followed.Stdout);
        Assert.Equal("two\n", followed.Stderr);
        Assert.Equal((0, "one\n", "two\n"), again);
        await server.SandboxAsync("", "rm", id);
    }

    [Fact]
    public async Task A_background_start_returns_its_process_id_without_waiting_for_a_stdin_that_stays_open()
    {
        // Arrange
        var id = await CreateAsync();

        // Act
        var started = await server.RunBytesAsync("not for the server\n"u8.ToArray(), server.Client, ["sandbox", "exec", id, "--background", "--", "sleep", "60"], keepStdinOpen: true);

        // Assert
        Assert.True(started.ExitCode == 0, started.Stderr);
        Assert.Matches("^[0-9]+\n$", Encoding.UTF8.GetString(started.Stdout));
        await server.SandboxAsync("", "rm", id);
    }

    [Fact]
    public async Task Cp_moves_binary_bytes_both_ways_keeps_the_mode_and_writes_to_stdout_with_a_dash()
    {
        // Arrange
        var id = await CreateAsync();
        var bytes = Enumerable.Range(0, 256).Select(i => (byte)i).Concat(Encoding.UTF8.GetBytes("\r\n\0end")).ToArray();
        var local = Local("all.bin");
        var back = Local("back.bin");
        File.WriteAllBytes(local, bytes);
        File.SetUnixFileMode(local, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        // Act
        var copyIn = await server.SandboxAsync("", "cp", local, $"{id}:data/all.bin");
        var inside = await server.SandboxAsync("", "exec", id, "--", "sh", "-c", "stat -c %a data/all.bin; od -An -tx1 data/all.bin | tr -d ' \\n' | head -c 32");
        var fromStdin = await server.RunAsync(bytes, server.Client, "sandbox", "cp", "-", $"{id}:piped.bin");
        var copyOut = await server.SandboxAsync("", "cp", $"{id}:piped.bin", back);
        var toStdout = await server.RunBytesAsync([], server.Client, ["sandbox", "cp", $"{id}:data/all.bin", "-"]);

        // Assert
        Assert.True(copyIn.ExitCode == 0, copyIn.Stderr);
        Assert.Equal("700\n000102030405060708090a0b0c0d0e0f", inside.Stdout.TrimEnd());
        Assert.True(fromStdin.ExitCode == 0, fromStdin.Stderr);
        Assert.True(copyOut.ExitCode == 0, copyOut.Stderr);
        Assert.Equal(bytes, File.ReadAllBytes(back));
        Assert.True(toStdout.ExitCode == 0, toStdout.Stderr);
        Assert.Equal(bytes, toStdout.Stdout);
        await server.SandboxAsync("", "rm", id);
    }

    [Fact]
    public async Task What_cp_and_exec_cannot_carry_is_refused_in_one_line_with_the_rule_and_the_fix()
    {
        // Arrange
        var id = await CreateAsync();
        await server.SandboxAsync("", "exec", id, "--", "mkdir", "-p", "dir/sub");
        var tooMuch = new byte[(4 << 20) + 1];

        // Act
        var cases = new (string Name, (int ExitCode, string Stdout, string Stderr) Result, string Rule)[]
        {
            ("a directory out", await server.SandboxAsync("", "cp", $"{id}:dir", Path.GetTempPath()), "cp-directory"),
            ("a directory in", await server.SandboxAsync("", "cp", Path.GetTempPath(), $"{id}:x"), "cp-directory"),
            ("no sandbox side", await server.SandboxAsync("", "cp", "a", "b"), "usage"),
            ("dot-dot", await server.SandboxAsync("", "cp", $"{id}:../etc/passwd", "-"), "path"),
            ("a host path", await server.SandboxAsync("", "cp", $"{id}:/etc/passwd", "-"), "path-outside"),
            ("not a handle", await server.SandboxAsync("", "exec", "sbx-../../v1", "--", "true"), "handle"),
            ("stdin over the bound", await server.RunAsync(tooMuch, server.Client, "sandbox", "exec", id, "--", "wc", "-c"), "stdin-size"),
            ("stdin not text", await server.RunAsync([0xff, 0xfe, 0x00], server.Client, "sandbox", "exec", id, "--", "wc", "-c"), "stdin-text"),
            ("above the profile", await server.SandboxAsync("", "create", "--max-lifetime", "100h"), "limit-above-profile"),
        };

        // Assert
        foreach (var (name, result, rule) in cases)
        {
            Assert.True(result.ExitCode == 125, $"{name}: exit {result.ExitCode}: {result.Stderr}");
            var line = Assert.Single(result.Stderr.TrimEnd('\n').Split('\n'));
            Assert.True(line.StartsWith("aisbx: ", StringComparison.Ordinal) && (line.Contains($"({rule})", StringComparison.Ordinal) || line.Contains($"(rule {rule})", StringComparison.Ordinal)), $"{name}: {line}");
            Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
        }

        await server.SandboxAsync("", "rm", id);
    }

    [Fact]
    public async Task Without_a_server_set_or_running_a_sandbox_command_says_how_to_get_one_in_one_line()
    {
        // Arrange: a loopback port that nothing listens on.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var nowhere = $"http://127.0.0.1:{port}";

        // Act
        var unset = await server.RunAsync([], new Dictionary<string, string?> { ["AISBX_API_KEY"] = server.Key }, "sandbox", "list");
        var refused = await server.RunAsync([], new Dictionary<string, string?> { ["AISBX_SERVER"] = nowhere, ["AISBX_API_KEY"] = server.Key }, "sandbox", "create");
        var flag = await server.RunAsync([], new Dictionary<string, string?>(), "sandbox", "--server", nowhere, "list");

        // Assert
        Assert.Equal(125, unset.ExitCode);
        Assert.Equal("aisbx: no aisbx server is set (rule server): pass --server URL or export AISBX_SERVER=URL, the address 'aisbx-mcp --transport http' prints (e.g. http://127.0.0.1:8080)\n", unset.Stderr);
        Assert.Equal(125, refused.ExitCode);
        Assert.Equal($"aisbx: no aisbx server at {nowhere} (rule server-unreachable): start one with 'aisbx-mcp --transport http', or point --server or AISBX_SERVER at the one running\n", refused.Stderr);
        Assert.Equal((125, ""), (flag.ExitCode, flag.Stdout));
        Assert.StartsWith($"aisbx: no aisbx server at {nowhere} ", flag.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(server.Key, unset.Stderr + refused.Stderr + refused.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Exec_without_a_server_says_so_at_once_rather_than_waiting_for_its_stdin_to_end()
    {
        // Act
        var refused = await server.RunBytesAsync("input\n"u8.ToArray(), new Dictionary<string, string?>(), ["sandbox", "exec", "sbx-" + new string('0', 32), "--", "cat"], keepStdinOpen: true);

        // Assert
        Assert.Equal(125, refused.ExitCode);
        Assert.StartsWith("aisbx: no aisbx server is set (rule server)", refused.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_key_is_refused_in_one_line_that_never_shows_the_key()
    {
        // Arrange
        var wrong = "aisbx_" + Convert.ToHexString(Guid.NewGuid().ToByteArray());
        var garbled = "aisbx_" + Guid.NewGuid().ToString("N") + " pasted\nwith a newline";

        // Act
        var refused = await server.RunAsync([], new Dictionary<string, string?> { ["AISBX_SERVER"] = server.Url.ToString(), ["AISBX_API_KEY"] = wrong }, "sandbox", "create");
        var malformed = await server.RunAsync([], new Dictionary<string, string?> { ["AISBX_SERVER"] = server.Url.ToString(), ["AISBX_API_KEY"] = garbled }, "sandbox", "list");
        var none = await server.RunAsync([], new Dictionary<string, string?> { ["AISBX_SERVER"] = server.Url.ToString() }, "sandbox", "list");

        // Assert
        Assert.Equal((125, ""), (refused.ExitCode, refused.Stdout));
        Assert.StartsWith("aisbx: the server refused the key in AISBX_API_KEY (rule auth): an unknown API key; create a key with 'aisbx keys create", refused.Stderr, StringComparison.Ordinal);
        Assert.Single(refused.Stderr.TrimEnd('\n').Split('\n'));
        Assert.Equal((125, ""), (malformed.ExitCode, malformed.Stdout));
        Assert.StartsWith("aisbx: AISBX_API_KEY does not hold a key (rule auth)", malformed.Stderr, StringComparison.Ordinal);
        Assert.Single(malformed.Stderr.TrimEnd('\n').Split('\n'));
        Assert.Equal(125, none.ExitCode);
        Assert.StartsWith($"aisbx: the server at {server.Url.ToString().TrimEnd('/')} needs an API key (rule auth): export AISBX_API_KEY=KEY", none.Stderr, StringComparison.Ordinal);
        foreach (var secret in new[] { wrong, wrong[6..], garbled.Split(' ')[0], garbled.Split(' ')[0][6..] })
        {
            Assert.DoesNotContain(secret, refused.Stdout + refused.Stderr + malformed.Stdout + malformed.Stderr, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_key_is_not_sent_over_plain_http_to_another_machine()
    {
        // Arrange: an address of TEST-NET-1 (RFC 5737), which nothing may answer.
        var remote = new Dictionary<string, string?> { ["AISBX_SERVER"] = "http://192.0.2.1:8080", ["AISBX_API_KEY"] = server.Key };

        // Act
        var refused = await server.RunAsync([], remote, "sandbox", "list");

        // Assert
        Assert.Equal((125, ""), (refused.ExitCode, refused.Stdout));
        Assert.Equal("aisbx: the key in AISBX_API_KEY would cross the network unencrypted to 192.0.2.1 (rule plain-http): serve https ([server] tls_certificate) and use https://, or reach the server through a tunnel to 127.0.0.1 (ssh -L)\n", refused.Stderr);
        Assert.DoesNotContain(server.Key, refused.Stderr, StringComparison.Ordinal);
    }

    private async Task<string> CreateAsync()
    {
        var (exitCode, stdout, stderr) = await server.SandboxAsync("", "create");
        Assert.True(exitCode == 0, stderr);
        return stdout.Trim();
    }
}
