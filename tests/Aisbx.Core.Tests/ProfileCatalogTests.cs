using Aisbx.Core.Policy;
using Aisbx.Core.Profiles;

namespace Aisbx.Core.Tests;

public class ProfileCatalogTests
{
    [Fact]
    public void The_eight_built_in_profiles_load_from_their_data_files()
    {
        var catalog = new ProfileCatalog(userDirectory: null);

        Assert.Equal(["default", "go-dev", "java-dev", "minimal", "node-dev", "python-dev", "rust-dev", "strict"], catalog.Names());
        foreach (var profile in catalog.All())
        {
            Assert.False(string.IsNullOrWhiteSpace(profile.Description));
            Assert.Equal(Aisbx.Core.Rootfs.RootfsKind.Packages, profile.Rootfs.Kind);
            Assert.NotEmpty(profile.Toolchain);
            Assert.Contains("PATH", profile.Env.Keys);
            Assert.Contains("sudo", profile.DeniedCommands);
        }
    }

    [Fact]
    public void Dev_profiles_extend_default_and_add_their_own_settings()
    {
        var catalog = new ProfileCatalog(userDirectory: null);

        var python = catalog.Get("python-dev");

        Assert.Equal(["python3"], python.Toolchain);
        Assert.Equal("1", python.Env["PYTHONDONTWRITEBYTECODE"]);
        Assert.Equal("C.UTF-8", python.Env["LANG"]);
        Assert.Equal(["ca-certificates", "curl", "git", "procps", "python3", "python3-pip", "python3-venv", "xz-utils"], python.Rootfs.Packages);
        Assert.Equal(1L << 30, python.Limits.MemoryBytes);
    }

    [Fact]
    public void Strict_denies_network_and_destructive_tools_and_never_allows_host_network()
    {
        var strict = new ProfileCatalog(userDirectory: null).Get("strict");

        Assert.Contains("curl", strict.DeniedCommands);
        Assert.Contains("rm", strict.DeniedCommands);
        Assert.Equal([NetworkMode.None], strict.AllowedNetworks);
    }

    [Fact]
    public void An_unknown_profile_is_refused_with_the_list_of_available_ones()
    {
        var catalog = new ProfileCatalog(userDirectory: null);

        var refusal = Assert.Throws<PolicyRefusal>(() => catalog.Get("pyhton-dev"));

        Assert.Equal("profile-unknown", refusal.Rule);
        Assert.Contains("python-dev", refusal.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', refusal.Message);
    }

    [Theory]
    [InlineData("../../etc/passwd")]
    [InlineData("/etc/passwd")]
    [InlineData("Default")]
    [InlineData("")]
    public void Profile_names_that_could_name_a_path_are_refused(string name)
    {
        using var dir = new TempDirectory();
        var catalog = new ProfileCatalog(dir.Path);

        Assert.Throws<PolicyRefusal>(() => catalog.Get(name));
    }

    [Fact]
    public void A_user_profile_adds_to_the_list_and_can_extend_a_built_in()
    {
        using var dir = new TempDirectory();
        dir.Write("datasci.toml", """
            extends = "python-dev"
            description = "Python with more memory"
            [limits]
            memory = "2G"
            [env]
            MPLBACKEND = "Agg"
            """);
        var catalog = new ProfileCatalog(dir.Path);

        var profile = catalog.Get("datasci");

        Assert.Contains("datasci", catalog.Names());
        Assert.Equal(2L << 30, profile.Limits.MemoryBytes);
        Assert.Equal("Agg", profile.Env["MPLBACKEND"]);
        Assert.Equal("1", profile.Env["PYTHONDONTWRITEBYTECODE"]);
        Assert.EndsWith("datasci.toml", profile.Origin, StringComparison.Ordinal);
    }

    [Fact]
    public void A_user_profile_with_a_built_in_name_overrides_it_and_may_build_on_it()
    {
        using var dir = new TempDirectory();
        dir.Write("default.toml", """
            extends = "default"
            description = "default, with git denied"
            denied_commands = ["sudo", "git"]
            """);

        var profile = new ProfileCatalog(dir.Path).Get("default");

        Assert.Equal(["sudo", "git"], profile.DeniedCommands);
        Assert.Equal("/tmp", profile.Env["HOME"]);
    }

    [Theory]
    [InlineData("description = \"x\"\nlimts = 3", "unknown key 'limts'")]
    [InlineData("description = \"x\"\n[limits]\nmemory = \"lots\"", "memory 'lots' is not a size")]
    [InlineData("description = \"x\"\nnetwork = \"internet\"", "network 'internet' is not a mode")]
    [InlineData("description = \"x\"\n[[mounts]]\nsource = \"relative/path\"", "must be an absolute path")]
    [InlineData("description = \"x\"\n[[mounts]]\nsource = \"/opt\"\ntarget = \"/../etc\"", "without '..'")]
    [InlineData("description = = broken", "not valid TOML")]
    [InlineData("description = \"x\"\nrootfs = \"ubuntu\"", "'rootfs' is not a kind aisbx knows: write rootfs = \"host\", or a [rootfs] table")]
    [InlineData("description = \"x\"\n[rootfs]\npackages = [\"git\"]\nimage = \"/srv/i.tar\"", "has both 'packages' and 'image'")]
    [InlineData("description = \"x\"\n[rootfs]\npackages = [\"--allow-unauthenticated\"]", "package '--allow-unauthenticated' is not a Debian package name")]
    [InlineData("description = \"x\"\n[rootfs]\nimage = \"img.tar\"", "must be an absolute path")]
    [InlineData("description = \"x\"\n[rootfs]\npackages = []\nsuite = \"bookworm; rm\"", "is not a suite name")]
    [InlineData("description = \"x\"\n[rootfs]\npackages = []\nmirror = \"file:///etc\"", "is not an http(s) address")]
    [InlineData("description = \"x\"\n[rootfs]\npackges = []", "unknown key 'packges'")]
    [InlineData("description = \"x\"\n[limits]\npids = -4", "must be a positive whole number")]
    public void A_broken_profile_file_is_a_one_line_error_that_names_the_file_and_the_problem(string text, string expected)
    {
        using var dir = new TempDirectory();
        var file = dir.Write("broken.toml", text);

        var error = Assert.Throws<ConfigurationException>(() => new ProfileCatalog(dir.Path).Get("broken"));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains(file, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void A_cycle_of_extends_is_reported()
    {
        using var dir = new TempDirectory();
        dir.Write("a.toml", "extends = \"b\"\ndescription = \"a\"");
        dir.Write("b.toml", "extends = \"a\"\ndescription = \"b\"");

        var error = Assert.Throws<ConfigurationException>(() => new ProfileCatalog(dir.Path).Get("a"));

        Assert.Contains("cycle", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Syscall_rules_are_profile_data_that_files_can_add_to_remove_from_and_escalate()
    {
        using var dir = new TempDirectory();
        dir.Write("debugger.toml", """
            extends = "default"
            description = "default, but ptrace allowed and bpf fatal"
            [seccomp]
            allow = ["ptrace"]
            kill = ["bpf"]
            """);
        var catalog = new ProfileCatalog(dir.Path);

        var standard = catalog.Get("default").Syscalls;
        var strict = catalog.Get("strict").Syscalls;
        var debugger = catalog.Get("debugger").Syscalls;

        Assert.Contains("ptrace", standard.Deny);
        Assert.Empty(standard.Kill);
        Assert.Contains("ptrace", strict.Kill);
        Assert.DoesNotContain("ptrace", debugger.Deny);
        Assert.Contains("bpf", debugger.Kill);
        Assert.Contains("mount", debugger.Deny);
    }

    [Fact]
    public void A_syscall_name_that_is_not_one_is_a_clear_error()
    {
        using var dir = new TempDirectory();
        dir.Write("typo.toml", "extends = \"default\"\ndescription = \"x\"\n[seccomp]\ndeny = [\"Ptrace!\"]\n");

        var error = Assert.Throws<ConfigurationException>(() => new ProfileCatalog(dir.Path).Get("typo"));

        Assert.Contains("is not a syscall name", error.Message, StringComparison.Ordinal);
    }
}
