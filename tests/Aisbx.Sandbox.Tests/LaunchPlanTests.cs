using System.Collections.Immutable;
using Aisbx.Core.Configuration;
using Aisbx.Core.Policy;
using Aisbx.Core.Profiles;
using Aisbx.Core.Runs;
using Aisbx.Sandbox.Bubblewrap;

namespace Aisbx.Sandbox.Tests;

/// <summary>Plans are plain values: these tests start nothing.</summary>
public class LaunchPlanTests
{
    private static readonly AisbxConfig Config = new()
    {
        ConfigDirectory = "/home/ada/.aisbx",
        CallerHome = "/home/ada",
        WorkspaceBase = "/tmp/aisbx-ada",
    };

    private static readonly ImmutableArray<MountOp> Rootfs =
        [new BindMount("/usr", "/usr", true), new SymlinkOp("usr/bin", "/bin"), new SymlinkOp("usr/lib", "/lib")];

    private static LaunchPlan Plan(RunRequest request, Func<string, string?>? resolve = null, HostIdentity? runAs = null)
    {
        var approved = RunPolicy.Approve(request, new ProfileCatalog(null), Config);
        return new LaunchPlanBuilder(Config, Rootfs, resolve ?? (p => p), () => "/opt/aisbx/aisbx-launch").Build(approved, "sbx-test", "/home/ada/project", runAs);
    }

    private static ImmutableArray<string> Args(LaunchPlan plan) => BwrapCommandLine.Build(plan).Arguments;

    [Fact]
    public void Every_namespace_is_unshared_and_the_sandbox_dies_with_aisbx()
    {
        var args = Args(Plan(new RunRequest { Command = ["ls"] }));

        Assert.Contains("--unshare-all", args);
        Assert.Contains("--unshare-user", args);
        Assert.Contains("--disable-userns", args);
        Assert.Contains("--new-session", args);
        Assert.Contains("--die-with-parent", args);
        Assert.DoesNotContain("--share-net", args);
        Assert.Equal(["--cap-drop", "ALL"], args.Skip(args.IndexOf("--cap-drop")).Take(2));
    }

    [Fact]
    public void Host_network_shares_the_network_namespace_and_brings_resolv_conf()
    {
        var plan = Plan(new RunRequest { Command = ["ls"], Network = NetworkMode.Host });

        Assert.Contains("--share-net", Args(plan));
        Assert.Contains(plan.Mounts, m => m is BindMount { Target: "/etc/resolv.conf" });
    }

    [Fact]
    public void An_allowlist_keeps_the_empty_network_namespace_and_asks_the_launcher_for_the_proxy_s_ports()
    {
        var allowlist = Plan(new RunRequest { Command = ["ls"], Profile = "python-dev", Network = NetworkMode.Allowlist });
        var none = Plan(new RunRequest { Command = ["ls"], Profile = "python-dev" });

        Assert.Contains("--unshare-all", Args(allowlist));
        Assert.DoesNotContain("--share-net", Args(allowlist));
        Assert.DoesNotContain(allowlist.Mounts, m => m.Target == "/etc/resolv.conf" && m is BindMount);
        Assert.Equal([3128, 1080], allowlist.EgressPorts);
        Assert.Equal(("http://127.0.0.1:3128", "http://127.0.0.1:3128", "socks5h://127.0.0.1:1080"), (allowlist.EnvValue("https_proxy"), allowlist.EnvValue("HTTP_PROXY"), allowlist.EnvValue("ALL_PROXY")));
        Assert.Empty(none.EgressPorts);
        Assert.DoesNotContain(none.Env, e => e.Key.EndsWith("_proxy", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void The_system_is_read_only_and_the_workspace_is_the_only_writable_host_path()
    {
        var plan = Plan(new RunRequest { Command = ["ls"], Profile = "python-dev" });

        Assert.All(plan.Mounts.OfType<BindMount>(), m => Assert.True(m.ReadOnly, m.Target));
        var workspace = Assert.Single(plan.Mounts.OfType<WorkspaceMount>());
        Assert.Equal("/workspace", workspace.Target);
        Assert.Equal("/home/ada/project", workspace.HostPath);
        Assert.IsType<RemountReadOnly>(plan.Mounts[^1]);
        Assert.Contains(plan.Mounts, m => m is TmpfsMount { Target: "/tmp", SizeBytes: 64L << 20 });
        Assert.Contains(plan.Mounts, m => m is ProcMount);
        Assert.Contains(plan.Mounts, m => m is DevMount);
        Assert.Contains(plan.Mounts, m => m is RemountReadOnly { Target: "/dev" });
        Assert.Contains(plan.Mounts, m => m is TmpfsMount { Target: "/dev/shm", SizeBytes: 64L << 20 });
        Assert.DoesNotContain(plan.Mounts, m => m.Target.StartsWith("/sys", StringComparison.Ordinal) || m.Target == "/etc/shadow");
    }

    [Fact]
    public void The_environment_is_the_profile_and_the_request_and_nothing_else()
    {
        var plan = Plan(new RunRequest { Command = ["ls"], Env = ImmutableSortedDictionary.CreateRange([KeyValuePair.Create("LANG", "de_DE.UTF-8"), KeyValuePair.Create("EXTRA", "1")]) });

        Assert.Equal("de_DE.UTF-8", plan.EnvValue("LANG"));
        Assert.Equal("1", plan.EnvValue("EXTRA"));
        Assert.Equal(new ProfileCatalog(null).Get("default").Env.Count + 1, plan.Env.Length);
    }

    [Fact]
    public void Optional_mounts_missing_on_the_host_are_skipped()
    {
        var plan = PlanOf("""
            [[mounts]]
            source = "/etc/hosts"
            optional = true

            [[mounts]]
            source = "/etc/ld.so.cache"
            optional = true
            """, resolve: p => p == "/etc/hosts" ? null : p);

        Assert.DoesNotContain(plan.Mounts, m => m.Target == "/etc/hosts");
        Assert.Contains(plan.Mounts, m => m.Target == "/etc/ld.so.cache");
    }

    [Fact]
    public void Mounts_under_home_expand_to_the_caller_home()
    {
        var plan = PlanOf("[[mounts]]\nsource = \"~/.rustup\"\ntarget = \"/opt/rustup\"\n");

        Assert.Contains(plan.Mounts, m => m is BindMount { Source: "/home/ada/.rustup", Target: "/opt/rustup" });
    }

    /// <summary>The plan of a user profile that extends default with <paramref name="body"/>.</summary>
    private static LaunchPlan PlanOf(string body, Func<string, string?>? resolve = null)
    {
        var tomlDir = Directory.CreateTempSubdirectory();
        try
        {
            File.WriteAllText(Path.Combine(tomlDir.FullName, "custom.toml"), "extends = \"default\"\ndescription = \"x\"\n" + body);
            var approved = RunPolicy.Approve(new RunRequest { Command = ["ls"], Profile = "custom" }, new ProfileCatalog(tomlDir.FullName), Config);
            return new LaunchPlanBuilder(Config, Rootfs, resolve ?? (p => p), () => "/opt/aisbx/aisbx-launch").Build(approved, "sbx-test", "/home/ada/project", null);
        }
        finally
        {
            tomlDir.Delete(recursive: true);
        }
    }

    [Fact]
    public void A_root_caller_spawns_bubblewrap_itself_and_shows_a_shell_the_setpriv_that_does_the_same()
    {
        var plan = Plan(new RunRequest { Command = ["ls"] }, runAs: new HostIdentity(65532, 65532));

        var (executable, _) = Launch.LaunchCommandLine.Build(BwrapCommandLine.Build(plan));
        var forShell = Launch.LaunchCommandLine.ForShell(plan, BwrapCommandLine.Build(plan));

        // The ids change on the spawning thread (ProcessIsolationTests proves them on the host); a shell needs setpriv.
        Assert.EndsWith("bwrap", executable, StringComparison.Ordinal);
        Assert.EndsWith("setpriv", forShell[0], StringComparison.Ordinal);
        Assert.Contains("--reuid=65532", forShell);
        Assert.Contains("--clear-groups", forShell);
        Assert.EndsWith("bwrap", forShell[forShell.IndexOf("--") + 1], StringComparison.Ordinal);
    }

    [Fact]
    public void Every_sandbox_gets_the_rlimit_floor_from_its_profile()
    {
        var plan = Plan(new RunRequest { Command = ["ls"], Profile = "strict", CpuTime = TimeSpan.FromMilliseconds(1500) });

        var rlimits = Launch.SandboxRlimits.For(plan.Limits);
        var (executable, _) = Launch.LaunchCommandLine.Build(BwrapCommandLine.Build(plan));

        // The launcher sets them inside, right before the program: bubblewrap is spawned directly.
        Assert.EndsWith("bwrap", executable, StringComparison.Ordinal);
        Launch.Rlimit[] expected =
        [
            new(Launch.SandboxRlimits.RLIMIT_FSIZE, 16UL << 20, 16UL << 20), new(Launch.SandboxRlimits.RLIMIT_NOFILE, 64, 64),
            new(Launch.SandboxRlimits.RLIMIT_CPU, 2, 3), new(Launch.SandboxRlimits.RLIMIT_CORE, 0, 0),
        ];
        Assert.Equal(expected, rlimits);
    }

    [Fact]
    public void The_launcher_is_mounted_read_only_and_runs_first()
    {
        var plan = Plan(new RunRequest { Command = ["ls"] });

        var launcher = Assert.Single(plan.Mounts.OfType<BindMount>(), m => m.Target == LaunchPlan.LauncherPath);
        Assert.True(launcher.ReadOnly);
        Assert.Equal("/opt/aisbx/aisbx-launch", launcher.Source);
        Assert.IsType<RemountReadOnly>(plan.Mounts[^1]);
    }

    [Fact]
    public void Generated_files_and_the_workspace_come_from_fixed_descriptors()
    {
        var invocation = BwrapCommandLine.Build(Plan(new RunRequest { Command = ["ls"] }));
        var args = invocation.Arguments;

        Assert.Equal("4", args[args.IndexOf("--bind-fd") + 1]);
        Assert.Equal("3", args[args.IndexOf("--json-status-fd") + 1]);
        Assert.Equal([8, 9, 10], invocation.DataFiles.Select(d => d.Fd));
        Assert.DoesNotContain("--seccomp", args);
        Assert.Equal([LaunchPlan.LauncherPath, "6", "7", "ls"], args.Skip(args.LastIndexOf("--") + 1));
        Assert.StartsWith("sandbox:x:1000:1000:", invocation.DataFiles[0].Content, StringComparison.Ordinal);
    }

    [Fact]
    public void The_command_follows_double_dash_untouched()
    {
        var args = Args(Plan(new RunRequest { Command = ["python3", "-c", "--not-an-option"] }));

        Assert.Equal(["--", LaunchPlan.LauncherPath, "6", "7", "python3", "-c", "--not-an-option"], args.Skip(args.LastIndexOf("--")));
    }

    [Theory]
    [InlineData("/bin/ls", "/usr/bin/ls")]
    [InlineData("/usr/lib/x", "/usr/lib/x")]
    [InlineData("/workspace/run.sh", "/home/ada/project/run.sh")]
    [InlineData("/tmp/x", null)]
    [InlineData("/proc/self/exe", null)]
    public void Sandbox_paths_map_to_the_host_paths_behind_them(string inside, string? host) =>
        Assert.Equal(host, SandboxPathMap.ToHost(Plan(new RunRequest { Command = ["ls"] }), inside));

    [Fact]
    public void A_profile_may_not_mount_the_config_directory()
    {
        var tomlDir = Directory.CreateTempSubdirectory();
        try
        {
            File.WriteAllText(Path.Combine(tomlDir.FullName, "leaky.toml"), "extends = \"default\"\ndescription = \"x\"\n[[mounts]]\nsource = \"/home/ada\"\n");
            var approved = RunPolicy.Approve(new RunRequest { Command = ["ls"], Profile = "leaky" }, new ProfileCatalog(tomlDir.FullName), Config);

            var error = Assert.Throws<Core.ConfigurationException>(() => new LaunchPlanBuilder(Config, Rootfs, p => p, () => "/opt/aisbx/aisbx-launch").Build(approved, "sbx", "/w", null));

            Assert.Contains("overlaps aisbx's own directory", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            tomlDir.Delete(recursive: true);
        }
    }
}
