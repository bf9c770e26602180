using System.Runtime.InteropServices;

namespace Aisbx.Sandbox.Tests;

/// <summary>
/// The default syscall filter, tried from inside with raw syscalls (python ctypes). Each probe is a call that
/// succeeds in an unfiltered sandbox, so an EPERM here is the filter's doing.
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

    private async Task<string> ProbeAsync(string calls, string profile = "python-dev")
    {
        Assert.SkipUnless(RuntimeInformation.ProcessArchitecture == Architecture.X64, "the probes use x86_64 syscall numbers");
        var result = await sandbox.PythonAttackAsync(Probe + "\n" + calls, profile: profile);
        Assert.Equal(0, result.ExitCode);
        return result.Stdout;
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
        Assert.Equal(("seccomp", "high", "killed"), (violation.Kind, violation.Severity, violation.Action));
    }

    [Fact]
    public async Task A_misspelled_syscall_in_a_profile_is_refused_before_launch()
    {
        var error = await Assert.ThrowsAsync<Core.ConfigurationException>(() => sandbox.RunAsync(["true"], "misspelled"));

        Assert.Contains("'ptracee'", error.Message, StringComparison.Ordinal);
    }
}
