using Aisbx.Core.Profiles;
using Aisbx.Sandbox.Seccomp;

namespace Aisbx.Sandbox.Tests;

/// <summary>The rules an allowlist compiles to, evaluated here the way the filter would match them.</summary>
public class SeccompRuleShapeTests
{
    private static readonly SyscallPolicy Allowlist = SyscallPolicy.Empty.Apply([], [], ["read", "ioctl", "clone"], SyscallAction.Deny);

    /// <summary>Whether any allow rule for the syscall matches the argument (libseccomp ORs rules of one syscall).</summary>
    private static bool Allowed(string syscall, int argument, ulong value) =>
        SeccompRules.For(Allowlist).Any(rule => rule.Syscall == syscall && rule.Action == FilterAction.Allow &&
            (rule.Argument is null || (rule.Argument == argument && (value & rule.Mask) == rule.Value)));

    [Theory]
    [InlineData(0x5412UL, false)] // TIOCSTI
    [InlineData(0x541CUL, false)] // TIOCLINUX
    [InlineData(0x1_0000_5412UL, false)] // TIOCSTI with high bits set: the kernel reads only the low 32
    [InlineData(0x541BUL, true)] // FIONREAD
    [InlineData(0x5401UL, true)] // TCGETS
    [InlineData(0x5410UL, true)]
    [InlineData(0x5414UL, true)] // TIOCGWINSZ... and the neighbours of the two refused requests
    [InlineData(0x541EUL, true)]
    [InlineData(0x80045430UL, true)]
    public void Ioctl_is_allowed_for_every_request_but_terminal_injection(ulong request, bool allowed) =>
        Assert.Equal(allowed, Allowed("ioctl", 1, request));

    [Fact]
    public void Every_ioctl_request_in_the_tty_range_but_the_two_is_allowed()
    {
        for (ulong request = 0x5400; request < 0x5500; request++)
        {
            Assert.Equal(request is not (0x5412 or 0x541C), Allowed("ioctl", 1, request));
        }
    }

    [Fact]
    public void Clone_is_allowed_only_without_namespace_flags_and_clone3_falls_back()
    {
        Assert.True(Allowed("clone", 0, 0x01200011)); // glibc's fork flags
        Assert.False(Allowed("clone", 0, 0x10000000 | 17));
        Assert.Contains(SeccompRules.For(Allowlist), r => r.Syscall == "clone3" && r.Action == FilterAction.Errno && r.Errno == SeccompRule.ENOSYS);
    }

    [Fact]
    public void A_denylist_compiles_its_named_syscalls_to_notifications()
    {
        var rules = SeccompRules.For(SyscallPolicy.Empty.Apply(["ptrace"], ["bpf"], []));

        Assert.Contains(rules, r => r.Syscall == "ptrace" && r.Action == FilterAction.Notify && r.Argument is null);
        Assert.Contains(rules, r => r.Syscall == "bpf" && r.Action == FilterAction.Notify);
        Assert.DoesNotContain(rules, r => r.Action == FilterAction.Allow);
    }
}
