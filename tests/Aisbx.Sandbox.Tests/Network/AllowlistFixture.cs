using System.Collections.Concurrent;
using System.Text;
using Aisbx.Core.Configuration;
using Aisbx.Core.Profiles;
using Aisbx.Core.Runs;
using Aisbx.Core.Security;
using Aisbx.Tests.Shared;

namespace Aisbx.Sandbox.Tests.Network;

/// <summary>
/// Real sandboxes with an allowlist, and the servers behind their proxy: an upstream on 127.0.0.2 (exempt from the
/// reserved ranges, for this test alone) that the names <c>allowed.test</c> and <c>other.test</c> point at through
/// the config's name-to-address override, and names that point at private ranges. Nothing beyond this host is
/// reached; the proxy decides every connection.
/// </summary>
public sealed class AllowlistFixture : IDisposable
{
    public AllowlistFixture()
    {
        Directory.CreateDirectory(Path.Combine(ConfigDirectory, "profiles"));
        File.WriteAllText(Path.Combine(ConfigDirectory, "config.toml"), $"""
            [egress]
            exempt = ["127.0.0.2/32"]

            [egress.hosts]
            "allowed.test" = ["127.0.0.2"]
            "other.test" = ["127.0.0.2"]
            "sub.wild.test" = ["127.0.0.2"]
            "denied.wild.test" = ["127.0.0.2"]
            "metadata.test" = ["169.254.169.254"]
            "lan.test" = ["10.0.0.1"]
            "loopback.test" = ["127.0.0.1"]
            "split.test" = ["127.0.0.2", "192.168.1.1"]
            """);
        Profile("egress", $"""
            allow = ["allowed.test:{Upstream.Port}", "*.wild.test:{Upstream.Port}", "metadata.test:{Upstream.Port}", "lan.test:{Upstream.Port}", "loopback.test:{Upstream.Port}", "split.test:{Upstream.Port}"]
            deny = ["denied.wild.test"]
            """);
        Profile("egress-two-connections", $"allow = [\"allowed.test:{Upstream.Port}\"]\nmax_connections = 2\n");
        Profile("egress-small-budget", $"allow = [\"allowed.test:{Upstream.Port}\"]\nmax_bytes = \"256K\"\n");
        Config = AisbxConfigLoader.Load(ConfigDirectory);
        Runner = new SandboxRunner(Config, new ProfileCatalog(Config.ProfilesDirectory));
    }

    internal LoopbackUpstream Upstream { get; } = new("127.0.0.2");

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "aisbx-egress-tests-" + Guid.NewGuid().ToString("N")[..12]);

    public string ConfigDirectory => Path.Combine(Root, "config");

    public AisbxConfig Config { get; }

    public SandboxRunner Runner { get; }

    /// <summary>Runs a shell script under an allowlist profile, guarded to refuse to run outside a sandbox; events as they came.</summary>
    public async Task<(RunResult Result, IReadOnlyList<SecurityEvent> Events)> RunAsync(string script, string profile = "egress", TimeSpan? timeout = null)
    {
        var events = new Events();
        var result = await Runner.RunAsync(
            new RunRequest { Command = ["/bin/sh", "-c", SandboxFixture.InsideGuard + script], Profile = profile, CaptureOutput = true, WallTime = timeout },
            new RunIo { Events = events },
            TestContext.Current.CancellationToken);
        Assert.DoesNotContain("NOT-IN-SANDBOX", result.Stdout, StringComparison.Ordinal);
        return (result, [.. events.Seen]);
    }

    private void Profile(string name, string network) =>
        File.WriteAllText(Path.Combine(ConfigDirectory, "profiles", name + ".toml"),
            $"extends = \"python-dev\"\ndescription = \"python-dev behind the egress proxy\"\n\n[network]\nmode = \"allowlist\"\n{network}\n", Encoding.UTF8);

    public void Dispose()
    {
        Upstream.Dispose();
        Directory.Delete(Root, recursive: true);
    }

    private sealed class Events : ISecurityEventSink
    {
        public ConcurrentQueue<SecurityEvent> Seen { get; } = new();

        public void Publish(SecurityEvent securityEvent) => Seen.Enqueue(securityEvent);
    }
}

[CollectionDefinition(nameof(AllowlistSandboxes))]
public sealed class AllowlistSandboxes : ICollectionFixture<AllowlistFixture>;
