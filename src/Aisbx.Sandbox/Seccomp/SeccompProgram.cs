using System.Collections.Immutable;
using Aisbx.Sandbox.Host;
using Aisbx.Sandbox.Launch;
using static Aisbx.Sandbox.Interop.Interop;

namespace Aisbx.Sandbox.Seccomp;

/// <summary>
/// Compiles seccomp rules into a classic-BPF program with libseccomp, for bubblewrap's <c>--seccomp FD</c>, which
/// loads it as the very last step before exec. Compiled once per process.
/// </summary>
public static class SeccompProgram
{
    private static readonly Lazy<byte[]> DefaultProgram = new(() => Compile(DefaultSeccompPolicy.Rules));

    public static byte[] Default => DefaultProgram.Value;

    public static unsafe byte[] Compile(ImmutableArray<SeccompRule> rules)
    {
        nint context;
        try
        {
            context = SeccompInit(SCMP_ACT_ALLOW);
        }
        catch (DllNotFoundException)
        {
            throw new SandboxUnavailableException("libseccomp is not installed, and every sandbox needs its syscall filter: install it with 'apt-get install libseccomp2'");
        }

        if (context == 0)
        {
            throw new SandboxUnavailableException("libseccomp could not start a filter (seccomp_init failed)");
        }

        try
        {
            Check(SeccompAttrSet(context, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS), "seccomp_attr_set(ACT_BADARCH)");
            foreach (var rule in rules)
            {
                var syscall = SeccompSyscallResolveName(rule.Syscall);
                if (syscall < 0)
                {
                    continue; // This architecture has no such syscall (iopl on aarch64): nothing to deny.
                }

                var condition = new ScmpArgCmp { Arg = rule.Argument ?? 0, Op = SCMP_CMP_MASKED_EQ, DatumA = rule.Mask, DatumB = rule.Value };
                Check(SeccompRuleAddArray(context, ScmpActErrno(rule.Errno), syscall, rule.Argument is null ? 0u : 1u, &condition), $"seccomp_rule_add({rule.Syscall})");
            }

            using var memory = MemoryFile.Create("aisbx-seccomp", "");
            var fd = SandboxExecution.Fd(memory);
            Check(SeccompExportBpf(context, fd), "seccomp_export_bpf");
            using var stream = new FileStream(new Microsoft.Win32.SafeHandles.SafeFileHandle(fd, ownsHandle: false), FileAccess.Read, bufferSize: 0);
            stream.Seek(0, SeekOrigin.Begin);
            using var bytes = new MemoryStream();
            stream.CopyTo(bytes);
            return bytes.ToArray();
        }
        finally
        {
            SeccompRelease(context);
        }
    }

    private static void Check(int result, string what)
    {
        if (result < 0)
        {
            throw new SandboxUnavailableException($"libseccomp refused the sandbox's syscall filter ({what}: error {-result})");
        }
    }
}
