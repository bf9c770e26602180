using Aisbx.Core.Profiles;

namespace Aisbx.Core.Tests;

public class SyscallPolicyTests
{
    private static readonly SyscallPolicy Denylist = SyscallPolicy.Empty.Apply(["ptrace", "mount"], ["bpf"], []);

    [Theory]
    [InlineData("ptrace", SyscallAction.Deny)]
    [InlineData("bpf", SyscallAction.Kill)]
    [InlineData("read", SyscallAction.Allow)]
    public void A_denylist_allows_everything_it_does_not_name(string syscall, SyscallAction expected) =>
        Assert.Equal(expected, Denylist.ActionFor(syscall));

    [Fact]
    public void An_allowlist_gives_unnamed_syscalls_its_default_and_named_ones_their_own_action()
    {
        var strict = Denylist.Apply([], [], ["read", "write", "ptrace"], SyscallAction.Deny);

        Assert.True(strict.IsAllowlist);
        Assert.Equal(SyscallAction.Allow, strict.ActionFor("read"));
        Assert.Equal(SyscallAction.Allow, strict.ActionFor("ptrace"));
        Assert.Equal(SyscallAction.Deny, strict.ActionFor("personality"));
        Assert.Equal(SyscallAction.Kill, strict.ActionFor("bpf"));
    }

    [Fact]
    public void A_file_that_denies_what_its_base_allowed_takes_it_off_the_allowlist()
    {
        var baseline = SyscallPolicy.Empty.Apply([], [], ["read", "socket"], SyscallAction.Deny);

        var tighter = baseline.Apply([], ["socket"], []);

        Assert.Equal(SyscallAction.Kill, tighter.ActionFor("socket"));
        Assert.DoesNotContain("socket", tighter.Allow);
    }

    [Fact]
    public void The_default_action_is_read_from_the_profile_file_and_checked()
    {
        using var dir = new TempDirectory();
        dir.Write("locked.toml", "extends = \"default\"\ndescription = \"x\"\n[seccomp]\ndefault = \"kill\"\nallow = [\"read\"]\n");
        dir.Write("odd.toml", "extends = \"default\"\ndescription = \"x\"\n[seccomp]\ndefault = \"maybe\"\n");
        var catalog = new ProfileCatalog(dir.Path);

        Assert.Equal(SyscallAction.Kill, catalog.Get("locked").Syscalls.Default);
        var error = Assert.Throws<ConfigurationException>(() => catalog.Get("odd"));
        Assert.Contains("default 'maybe' is not an action", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_built_in_strict_profile_is_an_allowlist_that_kills_the_worst_and_allows_the_ordinary()
    {
        var strict = new ProfileCatalog(null).Get("strict").Syscalls;

        Assert.True(strict.IsAllowlist);
        Assert.Equal(SyscallAction.Kill, strict.ActionFor("kexec_load"));
        Assert.Equal(SyscallAction.Deny, strict.ActionFor("mount"));
        Assert.All(new[] { "read", "write", "openat", "mmap", "execve", "clone", "futex", "exit_group" },
            name => Assert.Equal(SyscallAction.Allow, strict.ActionFor(name)));
    }
}
