using System.Runtime.InteropServices;

namespace Aisbx.Sandbox.Tests;

/// <summary>
/// The default syscall filter, tried from inside with raw syscalls (python ctypes). Some probes would fail in an
/// unfiltered sandbox too (no capabilities), so each one is also checked in the result's violations: only the
/// filter's listener puts a syscall's name there.
/// </summary>
[Collection(nameof(RealSandboxes))]
public class SeccompTests(SandboxFixture sandbox)
{
    private const string Probe = """
        import ctypes, os
        libc = ctypes.CDLL(None, use_errno=True)
        libc.syscall.restype = ctypes.c_long
        def call(name, nr, *args):
            ctypes.set_errno(0)
            r = libc.syscall(nr, *args)
            print(name, 'ok' if r >= 0 else os.strerror(ctypes.get_errno()))
        """;

    private async Task<string> ProbeAsync(string calls, string profile = "python-dev") => (await ProbeResultAsync(calls, profile)).Stdout;

    private async Task<Core.Runs.RunResult> ProbeResultAsync(string calls, string profile = "python-dev")
    {
        Assert.SkipUnless(RuntimeInformation.ProcessArchitecture == Architecture.X64, "the probes use x86_64 syscall numbers");
        var result = await sandbox.PythonAttackAsync(Probe + "\n" + calls, profile: profile);
        Assert.Equal(0, result.ExitCode);
        return result;
    }

    /// <summary>Every family the default profile denies, with harmless arguments, by x86_64 number.</summary>
    private static readonly (string Name, int Number)[] DeniedFamilies =
    [
        ("mount", 165), ("umount2", 166), ("pivot_root", 155), ("ptrace", 101), ("process_vm_readv", 310),
        ("process_vm_writev", 311), ("kexec_load", 246), ("kexec_file_load", 320), ("init_module", 175),
        ("finit_module", 313), ("delete_module", 176), ("bpf", 321), ("perf_event_open", 298), ("userfaultfd", 323),
        ("keyctl", 250), ("add_key", 248), ("request_key", 249), ("unshare", 272), ("setns", 308),
        ("open_by_handle_at", 304), ("name_to_handle_at", 303), ("reboot", 169), ("swapon", 167), ("swapoff", 168),
        ("acct", 163), ("quotactl", 179), ("iopl", 172), ("ioperm", 173), ("io_uring_setup", 425),
        ("io_uring_enter", 426), ("io_uring_register", 427),
    ];

    [Fact]
    public async Task Every_denied_family_answers_eperm_and_is_recorded_under_its_name()
    {
        var names = DeniedFamilies.Select(family => family.Name).ToList();
        var calls = string.Join("\n", DeniedFamilies.Select(family => $"call('{family.Name}', {family.Number}, 0, 0, 0, 0, 0)"));

        var result = await ProbeResultAsync(calls + "\ncall('getpid', 39)");

        Assert.Equal(string.Concat(names.Select(n => n + " Operation not permitted\n")) + "getpid ok\n", result.Stdout);
        Assert.Equal(names.Order(), result.Violations.Select(v => v.Detail).Order());
        Assert.All(result.Violations, v => Assert.Equal(("seccomp", "denied"), (v.Kind, v.Action)));
        Assert.Equal("critical", result.Violations.Single(v => v.Detail == "kexec_load").Severity);
        Assert.Equal("high", result.Violations.Single(v => v.Detail == "ptrace").Severity);
        Assert.All(result.Violations, v => Assert.NotNull(v.Time));
    }

    [Fact]
    public async Task Unshare_u_mount_of_a_tmpfs_and_ptrace_of_a_sibling_are_stopped_and_named()
    {
        var attack = await sandbox.AttackAsync("""
            unshare -U true && echo UNSHARED
            python3 -c "import ctypes; print('MOUNTED' if ctypes.CDLL(None).mount(b'none', b'/tmp', b'tmpfs', 0, None) == 0 else 'not mounted')"
            sleep 30 & sibling=$!
            python3 -c "import ctypes,sys; r=ctypes.CDLL(None).ptrace(16, int(sys.argv[1]), 0, 0); print('TRACED' if r == 0 else 'not traced')" $sibling
            kill $sibling
            """, profile: "python-dev");

        Assert.DoesNotContain("UNSHARED", attack.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("MOUNTED", attack.Stdout, StringComparison.Ordinal);
        Assert.Contains("not traced", attack.Stdout, StringComparison.Ordinal);
        Assert.Contains(attack.Violations, v => v.Detail == "unshare" && v.Action == "denied");
        Assert.Contains(attack.Violations, v => v.Detail == "mount" && v.Action == "denied");
        Assert.Contains(attack.Violations, v => v.Detail == "ptrace" && v.Action == "denied");
    }

    [Theory]
    [InlineData("kexec_load", 246)]
    [InlineData("init_module", 175)]
    [InlineData("bpf", 321)]
    [InlineData("ptrace", 101)]
    [InlineData("process_vm_readv", 310)]
    [InlineData("userfaultfd", 323)]
    [InlineData("io_uring_setup", 425)]
    public async Task In_strict_each_kill_rule_ends_the_sandbox_and_names_the_syscall(string name, int number)
    {
        Assert.SkipUnless(RuntimeInformation.ProcessArchitecture == Architecture.X64, "the probe uses an x86_64 syscall number");

        var result = await sandbox.PythonAttackAsync($"import ctypes\nctypes.CDLL(None).syscall({number}, 0, 0, 0, 0)\nprint('SURVIVED')", profile: "strict");

        Assert.Equal((159, 31), (result.ExitCode, result.Signal));
        Assert.DoesNotContain("SURVIVED", result.Stdout, StringComparison.Ordinal);
        var violation = Assert.Single(result.Violations);
        Assert.Equal(("seccomp", name, "killed"), (violation.Kind, violation.Detail, violation.Action));
    }

    [Fact]
    public async Task Tracing_keyrings_io_uring_and_file_handles_are_refused_with_eperm()
    {
        var stdout = await ProbeAsync("""
            call('ptrace', 101, 0, 0, 0, 0)
            call('keyctl', 250, 0, -3, 0)
            call('add_key', 248, b'user', b'k', b'v', 1, -3)
            call('io_uring_setup', 425, 1, ctypes.create_string_buffer(120))
            call('name_to_handle_at', 303, -100, b'/tmp', ctypes.create_string_buffer(136), ctypes.byref(ctypes.c_int()), 0)
            call('perf_event_open', 298, ctypes.create_string_buffer(128), 0, -1, -1, 0)
            call('getpid', 39)
            """);

        Assert.Equal(
            "ptrace Operation not permitted\nkeyctl Operation not permitted\nadd_key Operation not permitted\n" +
            "io_uring_setup Operation not permitted\nname_to_handle_at Operation not permitted\n" +
            "perf_event_open Operation not permitted\ngetpid ok\n",
            stdout);
    }

    [Fact]
    public async Task Namespaces_and_mounts_are_refused_and_clone3_falls_back_to_a_checkable_clone()
    {
        var stdout = await ProbeAsync("""
            call('unshare', 272, 0x10000000)
            call('mount', 165, b'none', b'/tmp', b'tmpfs', 0, 0)
            call('clone3', 435, 0, 0)
            call('clone(CLONE_NEWNET)', 56, 0x40000000 | 17, 0, 0, 0, 0)
            import subprocess
            print(subprocess.run(['echo', 'fork-still-works'], capture_output=True, text=True).stdout.strip())
            """);

        Assert.Equal(
            "unshare Operation not permitted\nmount Operation not permitted\nclone3 Function not implemented\n" +
            "clone(CLONE_NEWNET) Operation not permitted\nfork-still-works\n",
            stdout);
    }

    [Fact]
    public async Task Pushing_input_into_a_terminal_with_tiocsti_is_refused()
    {
        var stdout = await ProbeAsync("""
            import fcntl, termios
            fd = os.open('/dev/ptmx', os.O_RDWR | os.O_NOCTTY)
            try:
                fcntl.ioctl(fd, termios.TIOCSTI, b'x')
                print('TIOCSTI ok')
            except OSError as e:
                print('TIOCSTI', os.strerror(e.errno))
            """);

        Assert.Equal("TIOCSTI Operation not permitted\n", stdout);
    }

    [Fact]
    public async Task Clone_with_a_namespace_flag_is_recorded_with_the_flag()
    {
        var result = await ProbeResultAsync("call('clone', 56, 0x10000000 | 17, 0, 0, 0, 0)");

        Assert.Equal("clone Operation not permitted\n", result.Stdout);
        var violation = Assert.Single(result.Violations);
        Assert.Equal(("clone (CLONE_NEWUSER)", "high", "denied"), (violation.Detail, violation.Severity, violation.Action));
    }

    [Fact]
    public async Task A_program_cannot_install_a_listener_of_its_own_to_let_its_forbidden_calls_through()
    {
        // If it could, a newer filter's notification would win the tie with aisbx's, and the program could answer
        // its own ptrace with "continue". The kernel allows one listener per filter chain: EBUSY.
        var stdout = await ProbeAsync("""
            import struct
            rule = ctypes.create_string_buffer(struct.pack('HBBI', 0x06, 0, 0, 0x7fc00000))
            class Prog(ctypes.Structure):
                _fields_ = [('len', ctypes.c_ushort), ('filter', ctypes.c_void_p)]
            call('seccomp(NEW_LISTENER)', 317, 1, 8, ctypes.byref(Prog(1, ctypes.addressof(rule))))
            call('ptrace', 101, 0, 0, 0, 0)
            """);

        Assert.Equal("seccomp(NEW_LISTENER) Device or resource busy\nptrace Operation not permitted\n", stdout);
    }

    [Fact]
    public async Task Repeats_of_one_attempt_make_one_entry_with_a_count()
    {
        var result = await ProbeResultAsync("for _ in range(50): call('ptrace', 101, 0, 0, 0, 0)");

        var violation = Assert.Single(result.Violations);
        Assert.Equal(("ptrace", 50), (violation.Detail, violation.Count));
    }

    [Fact]
    public async Task A_syscall_through_the_32_bit_abi_kills_the_sandbox()
    {
        Assert.SkipUnless(RuntimeInformation.ProcessArchitecture == Architecture.X64, "int 0x80 exists on x86_64 only");

        // mov eax, 20 (getpid in the i386 table); int 0x80; ret
        var result = await sandbox.PythonAttackAsync("""
            import ctypes, mmap
            code = bytes([0xB8, 0x14, 0, 0, 0, 0xCD, 0x80, 0xC3])
            page = mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
            page.write(code)
            address = ctypes.addressof(ctypes.c_char.from_buffer(page))
            print('32-bit getpid returned', ctypes.CFUNCTYPE(ctypes.c_int)(address)(), flush=True)
            """);

        Assert.DoesNotContain("returned", result.Stdout, StringComparison.Ordinal);
        Assert.Equal(31, result.Signal);
        Assert.Contains(result.Violations, v => v.Detail.Contains("foreign ABI", StringComparison.Ordinal) && v.Action == "killed");
    }

    [Fact]
    public async Task A_profile_can_allow_a_syscall_the_default_denies()
    {
        var stdout = await ProbeAsync("call('keyctl', 250, 0, -3, 0)\ncall('ptrace', 101, 0, 0, 0, 0)", profile: "keys-allowed");

        Assert.Equal("keyctl ok\nptrace Operation not permitted\n", stdout);
    }

    [Fact]
    public async Task A_kill_severity_ends_the_sandbox_and_is_reported_as_a_violation()
    {
        Assert.SkipUnless(RuntimeInformation.ProcessArchitecture == Architecture.X64, "the probe uses an x86_64 syscall number");

        var result = await sandbox.RunAsync(
            ["python3", "-c", "import ctypes\nctypes.CDLL(None).syscall(101, 0, 0, 0, 0)\nprint('SURVIVED')"], "strict");

        Assert.Equal(31, result.Signal);
        Assert.DoesNotContain("SURVIVED", result.Stdout, StringComparison.Ordinal);
        var violation = Assert.Single(result.Violations);
        Assert.Equal(("seccomp", "ptrace", "high", "killed"), (violation.Kind, violation.Detail, violation.Severity, violation.Action));
    }

    [Fact]
    public async Task A_misspelled_syscall_in_a_profile_is_refused_before_launch()
    {
        var error = await Assert.ThrowsAsync<Core.ConfigurationException>(() => sandbox.RunAsync(["true"], "misspelled"));

        Assert.Contains("'ptracee'", error.Message, StringComparison.Ordinal);
    }
}
