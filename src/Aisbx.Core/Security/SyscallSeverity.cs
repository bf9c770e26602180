using System.Collections.Frozen;

namespace Aisbx.Core.Security;

/// <summary>
/// How serious an attempt on each syscall is, whatever the profile does about it: loading kernel code or reaching
/// host files by handle is critical; the classic escape and spying tools (namespaces, mounts, ptrace, keyrings,
/// eBPF, io_uring) are high; host administration calls that need privileges the sandbox never has are medium.
/// A syscall an allowlist leaves out, and is named nowhere here, is low: a program probing, not an attack.
/// </summary>
public static class SyscallSeverity
{
    private static readonly FrozenDictionary<string, Severity> Known = new Dictionary<string, Severity>
    {
        ["kexec_load"] = Severity.Critical, ["kexec_file_load"] = Severity.Critical,
        ["init_module"] = Severity.Critical, ["finit_module"] = Severity.Critical, ["delete_module"] = Severity.Critical,
        ["open_by_handle_at"] = Severity.Critical,
        ["mount"] = Severity.High, ["umount2"] = Severity.High, ["pivot_root"] = Severity.High,
        ["move_mount"] = Severity.High, ["open_tree"] = Severity.High, ["fsopen"] = Severity.High,
        ["fsconfig"] = Severity.High, ["fsmount"] = Severity.High, ["fspick"] = Severity.High, ["mount_setattr"] = Severity.High,
        ["unshare"] = Severity.High, ["setns"] = Severity.High, ["clone"] = Severity.High,
        ["ptrace"] = Severity.High, ["process_vm_readv"] = Severity.High, ["process_vm_writev"] = Severity.High,
        ["bpf"] = Severity.High, ["perf_event_open"] = Severity.High, ["userfaultfd"] = Severity.High,
        ["keyctl"] = Severity.High, ["add_key"] = Severity.High, ["request_key"] = Severity.High,
        ["io_uring_setup"] = Severity.High, ["io_uring_enter"] = Severity.High, ["io_uring_register"] = Severity.High,
        ["ioctl"] = Severity.High, ["name_to_handle_at"] = Severity.Medium,
        ["reboot"] = Severity.Medium, ["swapon"] = Severity.Medium, ["swapoff"] = Severity.Medium,
        ["acct"] = Severity.Medium, ["quotactl"] = Severity.Medium, ["iopl"] = Severity.Medium, ["ioperm"] = Severity.Medium,
        ["syslog"] = Severity.Medium, ["vhangup"] = Severity.Medium, ["uselib"] = Severity.Medium, ["lookup_dcookie"] = Severity.Medium,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    public static Severity Of(string syscall) => Known.GetValueOrDefault(syscall, Severity.Low);
}
