using Aisbx.Core.Configuration;
using Aisbx.Core.Profiles;
using Aisbx.Core.Runs;
using Aisbx.Tests.Shared;

namespace Aisbx.Sandbox.Tests.Network;

/// <summary>
/// A real <c>npm install</c> from inside a sandbox, through the egress proxy, from the npm registry the tests
/// already use (its host read from the host's npm config): the one place beyond this machine a test reaches. This
/// machine reaches the registries through a TLS-inspecting gateway whose CA is in the host's bundle, not in Debian's:
/// the install works because the sandbox trusts the host's bundle (<c>[egress] trust_host_certificates</c>).
/// </summary>
[Collection(nameof(AllowlistSandboxes))]
public sealed class RegistryInstallTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("aisbx-registry-tests-").FullName;

    [Fact]
    public async Task Npm_installs_a_package_through_the_proxy_from_the_registry_on_the_allowlist_and_nothing_else_is_reached()
    {
        // Arrange
        var registry = new Uri(HostCommands.Run("npm", "config", "get", "registry").Stdout.Trim());
        var profiles = Directory.CreateDirectory(Path.Combine(_root, "profiles")).FullName;
        File.WriteAllText(Path.Combine(profiles, "npm-registry.toml"),
            $"extends = \"node-dev\"\ndescription = \"node-dev with its registry\"\n\n[network]\nmode = \"allowlist\"\nallow = [\"{registry.Host}\"]\n\n[limits]\nwall_time = \"120s\"\n");
        var config = AisbxConfigLoader.Load(_root);
        var runner = new SandboxRunner(config, new ProfileCatalog(config.ProfilesDirectory));
        var script = SandboxFixture.InsideGuard +
            $"npm install --no-audit --no-fund --registry {registry} is-number@7.0.0 >/dev/null 2>/tmp/npm.log || {{ tail -5 /tmp/npm.log >&2; exit 1; }}\n" +
            "node -e \"console.log(require('is-number')(42))\"\n" +
            "curl -s -m 10 -o /dev/null -w '%{http_code}\\n' https://example.org/ || true\n";

        // Act
        var result = await runner.RunAsync(
            new RunRequest
            {
                Command = ["/bin/sh", "-c", script],
                Profile = "npm-registry",
                CaptureOutput = true,
            },
            new RunIo(),
            TestContext.Current.CancellationToken);

        // Assert
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal("true\n000\n", result.Stdout);
        var network = result.Network!;
        Assert.Contains(network.Connections, c => c.Host == registry.Host && c.Verdict == "allowed" && c.Protocol == "connect" && c.BytesIn > 1000);
        Assert.Contains(network.Connections, c => c.Host == "example.org" && c.Verdict == "refused" && c.Rule == "host-not-allowed");
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
