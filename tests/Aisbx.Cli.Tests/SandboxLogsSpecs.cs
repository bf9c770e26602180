namespace Aisbx.Cli.Tests;

/// <summary>A server whose key may make only a few requests a minute.</summary>
public sealed class FrugalSandboxServer : SandboxServer
{
    protected override string ServerSettings => "requests_per_minute = 6";
}

/// <summary><c>aisbx sandbox logs --follow</c> against a server that rate-limits the key.</summary>
public class SandboxLogsSpecs(FrugalSandboxServer server) : IClassFixture<FrugalSandboxServer>
{
    [Fact]
    public async Task Following_a_process_past_the_key_s_rate_limit_waits_and_still_gets_all_its_output_and_its_code()
    {
        // Arrange: two of the six requests a minute go to create and start; following a process that runs a few
        // seconds needs more polls than the four left, so the server answers 429 on the way.
        var created = await server.SandboxAsync("", "create");
        var id = created.Stdout.Trim();
        var started = await server.SandboxAsync("", "exec", id, "--background", "--", "sh", "-c", "echo first; sleep 4; echo last; exit 4");
        Assert.True(started.ExitCode == 0, started.Stderr);

        // Act
        var followed = await server.SandboxAsync("", "logs", id, started.Stdout.Trim(), "--follow");

        // Assert
        Assert.True(followed.ExitCode == 4, $"exit {followed.ExitCode}: {followed.Stderr}");
        Assert.Equal("first\nlast\n", followed.Stdout);
        Assert.Equal("", followed.Stderr);
    }
}
