using System.Runtime.InteropServices;

namespace Aisbx.Sandbox.Tests;

/// <summary><c>strict</c> is an allowlist: ordinary programs run untouched, anything else is refused and recorded.</summary>
[Collection(nameof(RealSandboxes))]
public class StrictAllowlistTests(SandboxFixture sandbox)
{
    [Fact]
    public async Task Shell_tools_and_a_python_workload_run_without_a_single_violation()
    {
        var shell = await sandbox.ShAsync("ls -la / >/dev/null && echo a b | tr ' ' '\\n' | sort -r | head -1 && date +%Y >/dev/null && echo ok", "strict");
        var python = await sandbox.RunAsync(
            ["python3", "-c", "import json, subprocess, threading, tempfile, hashlib, socket\n" +
             "t = threading.Thread(target=lambda: None); t.start(); t.join()\n" +
             "with tempfile.TemporaryDirectory() as d: open(d + '/f', 'w').write('x')\n" +
             "print(subprocess.run(['echo', 'child'], capture_output=True, text=True).stdout.strip(), json.dumps([1]))"],
            "strict");

        Assert.Equal(("b\nok\n", 0), (shell.Stdout, shell.ExitCode));
        Assert.Empty(shell.Violations);
        Assert.Equal(("child [1]\n", 0), (python.Stdout, python.ExitCode));
        Assert.Empty(python.Violations);
    }

    [Fact]
    public async Task A_syscall_left_off_the_allowlist_answers_eperm_and_the_program_goes_on()
    {
        Assert.SkipUnless(RuntimeInformation.ProcessArchitecture == Architecture.X64, "the probe uses an x86_64 syscall number");

        // personality(0xffffffff) only reads the current persona: harmless, and not on strict's list.
        var result = await sandbox.PythonAttackAsync(
            "import ctypes\nlibc = ctypes.CDLL(None, use_errno=True)\nr = libc.syscall(135, 0xffffffff)\nprint(r, ctypes.get_errno())\nprint('went on')",
            profile: "strict");

        Assert.Equal("-1 1\nwent on\n", result.Stdout);
        var violation = Assert.Single(result.Violations);
        Assert.Equal(("personality", "low", "denied"), (violation.Detail, violation.Severity, violation.Action));
    }

    [Fact]
    public async Task Namespaces_and_terminal_injection_stay_refused_inside_the_allowlist()
    {
        Assert.SkipUnless(RuntimeInformation.ProcessArchitecture == Architecture.X64, "the probe uses an x86_64 syscall number");

        var result = await sandbox.PythonAttackAsync("""
            import ctypes, fcntl, os, termios
            libc = ctypes.CDLL(None, use_errno=True)
            print('clone', libc.syscall(56, 0x10000000 | 17, 0, 0, 0, 0), ctypes.get_errno())
            fd = os.open('/dev/ptmx', os.O_RDWR | os.O_NOCTTY)
            try:
                fcntl.ioctl(fd, termios.TIOCSTI, b'x')
                print('TIOCSTI ok')
            except OSError as e:
                print('TIOCSTI', e.errno)
            print('FIONREAD', len(fcntl.ioctl(fd, termios.FIONREAD, b'\0\0\0\0')))
            """, profile: "strict");

        Assert.Equal("clone -1 1\nTIOCSTI 1\nFIONREAD 4\n", result.Stdout);
        Assert.Equal(["clone (CLONE_NEWUSER)", "ioctl (TIOCSTI)"], result.Violations.Select(v => v.Detail));
    }

    [Fact]
    public async Task A_profile_file_can_turn_a_deny_into_a_kill()
    {
        Assert.SkipUnless(RuntimeInformation.ProcessArchitecture == Architecture.X64, "the probe uses an x86_64 syscall number");

        var result = await sandbox.PythonAttackAsync("import ctypes\nctypes.CDLL(None).syscall(101, 0, 0, 0, 0)\nprint('SURVIVED')", profile: "ptrace-kills");

        Assert.Equal(31, result.Signal);
        Assert.Equal(("ptrace", "killed"), (result.Violations.Single().Detail, result.Violations.Single().Action));
    }
}
