using System.Text.Json;

namespace Aisbx.Cli.Tests;

public class ProfileAndDoctorSpecs(AisbxBinary aisbx) : IClassFixture<AisbxBinary>
{
    [Fact]
    public async Task Profile_list_shows_every_built_in_with_its_description()
    {
        var (exitCode, stdout, _) = await aisbx.RunAsync("profile", "list");

        Assert.Equal(0, exitCode);
        foreach (var name in new[] { "default", "python-dev", "node-dev", "go-dev", "rust-dev", "java-dev", "strict", "minimal" })
        {
            Assert.Contains(stdout.Split('\n'), line => line.StartsWith(name + " ", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Profile_list_json_carries_limits_network_and_toolchain_presence()
    {
        var (exitCode, stdout, _) = await aisbx.RunAsync("profile", "list", "--json");

        Assert.Equal(0, exitCode);
        using var document = JsonDocument.Parse(stdout);
        var python = document.RootElement.EnumerateArray().Single(p => p.GetProperty("name").GetString() == "python-dev");
        Assert.True(python.GetProperty("toolchainPresent").GetBoolean());
        Assert.Equal("none", python.GetProperty("network").GetString());
        Assert.Equal("1G", python.GetProperty("limits").GetProperty("memory").GetString());
    }

    [Fact]
    public async Task Profile_show_json_carries_the_egress_allow_list_and_caps()
    {
        // Act
        var (exitCode, stdout, _) = await aisbx.RunAsync("profile", "show", "python-dev", "--json");

        // Assert
        Assert.Equal(0, exitCode);
        using var document = JsonDocument.Parse(stdout);
        var egress = document.RootElement.GetProperty("egress");
        Assert.Equal(["pypi.org", "files.pythonhosted.org"], egress.GetProperty("allow").EnumerateArray().Select(h => h.GetString()));
        Assert.Empty(egress.GetProperty("deny").EnumerateArray());
        Assert.Equal(1024, egress.GetProperty("maxConnections").GetInt32());
        Assert.Equal(4L << 30, egress.GetProperty("maxBytes").GetInt64());
        Assert.Contains("allowlist", document.RootElement.GetProperty("allowedNetworks").EnumerateArray().Select(n => n.GetString()));
    }

    [Fact]
    public async Task The_profile_policy_doc_is_generated_from_the_profile_files_and_current()
    {
        var (exitCode, stdout, _) = await aisbx.RunAsync("profile", "list", "--markdown");

        Assert.Equal(0, exitCode);
        var committed = await File.ReadAllTextAsync(Path.Combine(AisbxBinary.RepositoryRoot(), "docs", "profile-policies.md"), TestContext.Current.CancellationToken);
        Assert.True(committed == stdout, "docs/profile-policies.md is stale: regenerate it with ./aisbx profile list --markdown > docs/profile-policies.md");
        Assert.Contains("| `strict` |", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Profile_list_and_doctor_show_each_environment_built_missing_stale_or_on_the_host()
    {
        // "tiny" has minimal's inputs, so building it is a no-op on the suite's shared store that only records it;
        // then its packages change and its tree is stale. "unbuilt" asks for a tree nobody built.
        var config = Path.Combine(aisbx.Root, "environment-states");
        var profiles = Path.Combine(config, "profiles");
        Directory.CreateDirectory(profiles);
        var tiny = Path.Combine(profiles, "tiny.toml");
        await File.WriteAllTextAsync(tiny, "extends = \"minimal\"\ndescription = \"tiny\"\n", TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(Path.Combine(profiles, "unbuilt.toml"), "extends = \"minimal\"\ndescription = \"unbuilt\"\n[rootfs]\npackages = [\"aisbx-no-such-package-xyz\"]\n", TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(Path.Combine(profiles, "onhost.toml"), "extends = \"minimal\"\ndescription = \"on the host\"\nrootfs = \"host\"\n", TestContext.Current.CancellationToken);
        var (built, _, buildErrors) = await aisbx.RunAsync("--config", config, "build", "--profile", "tiny");
        Assert.True(built == 0, buildErrors);
        await File.WriteAllTextAsync(tiny, "extends = \"minimal\"\ndescription = \"tiny\"\n[rootfs]\npackages = [\"sl\"]\n", TestContext.Current.CancellationToken);

        var (listed, list, _) = await aisbx.RunAsync("--config", config, "profile", "list");
        var (_, json, _) = await aisbx.RunAsync("--config", config, "profile", "list", "--json");
        var (_, doctor, _) = await aisbx.RunAsync("--config", config, "doctor", "--json");

        Assert.Equal(0, listed);
        string Line(string name) => list.Split('\n').Single(l => l.StartsWith(name + " ", StringComparison.Ordinal));
        Assert.Matches(@"^minimal\s+built \d+(\.\d)? MiB [0-9a-f]{12}\s", Line("minimal"));
        Assert.Matches(@"^tiny\s+stale\s", Line("tiny"));
        Assert.Matches(@"^unbuilt\s+missing\s", Line("unbuilt"));
        Assert.Matches(@"^onhost\s+host\s", Line("onhost"));
        using var document = JsonDocument.Parse(json);
        string State(string name) => document.RootElement.EnumerateArray().Single(p => p.GetProperty("name").GetString() == name).GetProperty("environment").GetProperty("state").GetString()!;
        Assert.Equal(["built", "stale", "missing", "host"], new[] { State("minimal"), State("tiny"), State("unbuilt"), State("onhost") });
        var minimal = document.RootElement.EnumerateArray().Single(p => p.GetProperty("name").GetString() == "minimal").GetProperty("environment");
        Assert.Matches("^[0-9a-f]{64}$", minimal.GetProperty("hash").GetString()!);
        Assert.True(minimal.GetProperty("sizeBytes").GetInt64() > 1 << 20);
        using var checks = JsonDocument.Parse(doctor);
        string Detail(string name) => checks.RootElement.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "profile " + name).GetProperty("detail").GetString()!;
        Assert.StartsWith("environment stale (its inputs changed since the build of ", Detail("tiny"), StringComparison.Ordinal);
        Assert.EndsWith("run aisbx build --profile tiny", Detail("tiny"), StringComparison.Ordinal);
        Assert.Equal("environment missing: run aisbx build --profile unbuilt", Detail("unbuilt"));
        Assert.StartsWith("environment built ", Detail("minimal"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Profile_show_of_an_unknown_name_is_refused_with_the_list()
    {
        var (exitCode, _, stderr) = await aisbx.RunAsync("profile", "show", "nope");

        Assert.Equal(125, exitCode);
        Assert.Contains("available: default", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_user_profile_file_is_picked_up_and_a_broken_one_is_a_one_line_error()
    {
        var config = Path.Combine(aisbx.Root, "own-profiles");
        var profiles = Path.Combine(config, "profiles");
        Directory.CreateDirectory(profiles);
        await File.WriteAllTextAsync(Path.Combine(profiles, "mine.toml"), "extends = \"default\"\ndescription = \"my own\"\n[env]\nGREETING = \"hi\"\n", TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(Path.Combine(profiles, "broken.toml"), "description = \"x\"\nlimts = 1\n", TestContext.Current.CancellationToken);

        var mine = await aisbx.RunAsync("--config", config, "run", "-p", "mine", "--", "sh", "-c", "echo $GREETING");
        var broken = await aisbx.RunAsync("--config", config, "run", "-p", "broken", "--", "true");

        Assert.Equal("hi\n", mine.Stdout);
        Assert.Equal(125, broken.ExitCode);
        Assert.Contains("unknown key 'limts'", broken.Stderr, StringComparison.Ordinal);
        Assert.Single(broken.Stderr.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public async Task Doctor_reports_every_check_and_succeeds_on_a_host_that_can_run_sandboxes()
    {
        var (exitCode, stdout, _) = await aisbx.RunAsync("doctor", "--json");

        Assert.Equal(0, exitCode);
        using var document = JsonDocument.Parse(stdout);
        var checks = document.RootElement.GetProperty("checks").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => c.GetProperty("status").GetString());
        Assert.Equal("ok", checks["bubblewrap"]);
        Assert.Equal("ok", checks["sandbox"]);
        Assert.Contains("seccomp", checks.Keys);
        Assert.Contains("limits", checks.Keys);
        Assert.Equal("ok", checks["profile python-dev"]);
        Assert.True(document.RootElement.GetProperty("ok").GetBoolean());
    }

    [Fact]
    public async Task Doctor_fails_with_the_cause_when_the_sandbox_uid_setting_is_unusable()
    {
        var config = Path.Combine(aisbx.Root, "bad-config");
        Directory.CreateDirectory(config);
        await File.WriteAllTextAsync(Path.Combine(config, "config.toml"), "[sandbox]\nhost_uid = 0\n", TestContext.Current.CancellationToken);

        var (exitCode, _, stderr) = await aisbx.RunAsync("--config", config, "doctor");

        Assert.Equal(125, exitCode);
        Assert.Contains("other than 0", stderr, StringComparison.Ordinal);
    }
}
