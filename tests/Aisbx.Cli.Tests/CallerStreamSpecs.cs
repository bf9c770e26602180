namespace Aisbx.Cli.Tests;

/// <summary>What the caller's own descriptors do to a run: closed stdin, closed or vanishing stdout.</summary>
public class CallerStreamSpecs(AisbxBinary aisbx) : IClassFixture<AisbxBinary>
{
    [Fact]
    public async Task A_closed_stdin_reads_as_end_of_file_in_the_sandbox()
    {
        // Arrange: with fd 0 closed, the .NET runtime opens /dev/urandom there; that must never become stdin.
        const string script = """$AISBX run -- sh -c 'if read x; then echo "got[$x]"; else echo "eof[$x]"; fi; wc -c' <&-""";

        // Act
        var (exitCode, stdout, stderr) = await aisbx.ShellAsync(script);

        // Assert
        Assert.True(exitCode == 0, stderr);
        Assert.Equal("eof[]\n0\n", stdout);
    }

    [Fact]
    public async Task A_stdin_the_caller_gives_still_reaches_the_program()
    {
        var (exitCode, stdout, stderr) = await aisbx.ShellAsync("""echo hello | $AISBX run -- sh -c 'read x; echo "got[$x]"'""");

        Assert.True(exitCode == 0, stderr);
        Assert.Equal("got[hello]\n", stdout);
    }

    [Fact]
    public async Task A_reader_that_goes_away_ends_the_run_as_sigpipe_would_with_141()
    {
        // Act: yes writes forever; head takes two lines and leaves.
        var (_, stdout, stderr) = await aisbx.ShellAsync("""$AISBX run -- yes | head -2; echo "status=${PIPESTATUS[0]}" >&2""");

        // Assert
        Assert.Equal("y\ny\n", stdout);
        Assert.Contains("status=141", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_closed_stdout_ends_a_program_that_writes_to_it_with_141_and_says_why()
    {
        var (_, _, stderr) = await aisbx.ShellAsync("""$AISBX run -- sh -c 'echo x' >&-; echo "status=$?" >&2""");

        Assert.Contains("status=141", stderr, StringComparison.Ordinal);
        Assert.Contains("aisbx: stdout is closed", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_closed_stdout_does_not_matter_to_a_program_that_never_writes_to_it()
    {
        var (_, _, stderr) = await aisbx.ShellAsync("""$AISBX run -- sh -c 'exit 3' >&-; echo "status=$?" >&2""");

        Assert.Contains("status=3", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_json_run_with_stdout_closed_exits_141_and_says_why()
    {
        var (_, _, stderr) = await aisbx.ShellAsync("""$AISBX run --json -- true >&-; echo "status=$?" >&2""");

        Assert.Contains("status=141", stderr, StringComparison.Ordinal);
        Assert.Contains("result document had nowhere to go", stderr, StringComparison.Ordinal);
    }
}
