using System.Collections.Immutable;

namespace Aisbx.Sandbox.Seccomp;

/// <summary>
/// The syscalls no sandboxed program needs and attackers reach for: mounting and namespaces, tracing other
/// processes, loading kernel code, kernel keyrings, BPF and perf, userfaultfd and io_uring (frequent kernel exploit
/// paths), file handles that bypass paths, and terminal injection. Denied with EPERM (clone3 with ENOSYS, so that
/// libc falls back to clone, whose flags the filter can see). A syscall of a foreign ABI (i386 <c>int 0x80</c>, x32)
/// kills the sandbox.
/// </summary>
public static class DefaultSeccompPolicy
{
    private const ulong CloneNewFlags =
        0x00020000 /* NEWNS */ | 0x02000000 /* NEWCGROUP */ | 0x04000000 /* NEWUTS */ | 0x08000000 /* NEWIPC */ |
        0x10000000 /* NEWUSER */ | 0x20000000 /* NEWPID */ | 0x40000000 /* NEWNET */ | 0x00000080 /* NEWTIME */;

    private const ulong TIOCSTI = 0x5412;
    private const ulong TIOCLINUX = 0x541C;

    private static readonly string[] Denied =
    [
        "mount", "umount2", "pivot_root", "move_mount", "open_tree", "fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr",
        "unshare", "setns",
        "ptrace", "process_vm_readv", "process_vm_writev",
        "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
        "bpf", "perf_event_open", "userfaultfd",
        "keyctl", "add_key", "request_key",
        "open_by_handle_at", "name_to_handle_at",
        "reboot", "swapon", "swapoff", "acct", "quotactl", "iopl", "ioperm", "syslog", "vhangup", "uselib", "lookup_dcookie",
        "io_uring_setup", "io_uring_enter", "io_uring_register",
    ];

    public static ImmutableArray<SeccompRule> Rules { get; } =
    [
        .. Denied.Select(name => new SeccompRule(name)),
        new SeccompRule("clone3", SeccompRule.ENOSYS),
        .. SingleBits(CloneNewFlags).Select(bit => new SeccompRule("clone", SeccompRule.EPERM, Argument: 0, Mask: bit, Value: bit)),
        new SeccompRule("ioctl", SeccompRule.EPERM, Argument: 1, Mask: 0xffffffff, Value: TIOCSTI),
        new SeccompRule("ioctl", SeccompRule.EPERM, Argument: 1, Mask: 0xffffffff, Value: TIOCLINUX),
    ];

    private static IEnumerable<ulong> SingleBits(ulong flags)
    {
        for (var bit = 1UL; bit != 0; bit <<= 1)
        {
            if ((flags & bit) != 0)
            {
                yield return bit;
            }
        }
    }
}
