using Aisbx.Core.Runs;
using Aisbx.Core.Secrets;
using Aisbx.Core.Security;

namespace Aisbx.Sandbox.Tests;

/// <summary>Secrets reach the program as environment variables, and never come back in its output.</summary>
[Collection(nameof(RealSandboxes))]
public class SecretInjectionTests(SandboxFixture sandbox)
{
    private sealed class FixedSecrets : ISecretSource
    {
        public string Reveal(string name) => name switch
        {
            "API_TOKEN" => "tok-3141592653",
            "HUGE" => new string('k', 200 * 1024),
            _ => throw new SecretStoreException($"no secret named '{name}'"),
        };
    }

    private sealed class Recorder : ISecurityEventSink
    {
        public List<SecurityEvent> Events { get; } = [];

        public void Publish(SecurityEvent securityEvent) => Events.Add(securityEvent);
    }

    [Fact]
    public async Task A_secret_is_injected_and_redacted_even_when_printed_in_pieces()
    {
        var runner = new SandboxRunner(sandbox.Config, sandbox.Runner.Profiles, secrets: new FixedSecrets());
        var events = new Recorder();

        var result = await runner.RunAsync(new RunRequest
        {
            Command = ["sh", "-c", "echo \"env:$API_TOKEN\"; printf 'tok-314'; sleep 0.2; printf '1592653\\n'; echo \"err:$API_TOKEN\" >&2; [ \"$API_TOKEN\" = tok-3141592653 ] && echo same"],
            Secrets = ["API_TOKEN"],
            CaptureOutput = true,
        }, new RunIo { Events = events }, TestContext.Current.CancellationToken);

        Assert.Equal("env:[redacted:API_TOKEN]\n[redacted:API_TOKEN]\nsame\n", result.Stdout);
        Assert.Equal("err:[redacted:API_TOKEN]\n", result.Stderr);
        var used = Assert.Single(events.Events, e => e.Kind == SecurityEventKind.SecretUsed);
        Assert.Contains("API_TOKEN", used.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(events.Events, e => e.Detail.Contains("tok-3141592653", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_unknown_secret_fails_before_anything_starts()
    {
        var runner = new SandboxRunner(sandbox.Config, sandbox.Runner.Profiles, secrets: new FixedSecrets());

        var error = await Assert.ThrowsAsync<SecretStoreException>(() => runner.RunAsync(
            new RunRequest { Command = ["true"], Secrets = ["NOPE"], CaptureOutput = true }, RunIo.None, TestContext.Current.CancellationToken));

        Assert.Contains("'NOPE'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_secret_too_long_for_the_environment_is_refused_by_name_without_its_value()
    {
        var runner = new SandboxRunner(sandbox.Config, sandbox.Runner.Profiles, secrets: new FixedSecrets());

        var refusal = await Assert.ThrowsAsync<Core.Policy.PolicyRefusal>(() => runner.RunAsync(
            new RunRequest { Command = ["true"], Secrets = ["HUGE"], CaptureOutput = true }, RunIo.None, TestContext.Current.CancellationToken));

        Assert.Equal("secret-size", refusal.Rule);
        Assert.Contains("'HUGE'", refusal.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("kkkk", refusal.Message, StringComparison.Ordinal);
    }
}
