using System.Collections.Concurrent;
using System.Collections.Immutable;
using Aisbx.Core;
using Aisbx.Core.Profiles;
using Aisbx.Sandbox.Host;
using Aisbx.Sandbox.Launch;
using static Aisbx.Sandbox.Interop.Interop;

namespace Aisbx.Sandbox.Seccomp;

/// <summary>
/// Compiles seccomp rules into a classic-BPF program with libseccomp, for bubblewrap's <c>--seccomp FD</c>, which
/// loads it as the very last step before exec. Each distinct policy is compiled once per process. A syscall of a
/// foreign ABI (i386 <c>int 0x80</c>, x32) kills the sandbox.
/// </summary>
public static class SeccompProgram
{
    private static readonly ConcurrentDictionary<string, byte[]> Compiled = new(StringComparer.Ordinal);

    /// <exception cref="ConfigurationException">The policy names a syscall this architecture does not know.</exception>
    public static byte[] For(string profileName, SyscallPolicy policy)
    {
        var key = string.Join(',', policy.Deny) + "|" + string.Join(',', policy.Kill);
        return Compiled.GetOrAdd(key, _ => Compile(profileName, SeccompRules.For(policy)));
    }

    public static unsafe byte[] Compile(string profileName, ImmutableArray<SeccompRule> rules)
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
                    if (KnownElsewhere.Contains(rule.Syscall))
                    {
                        continue; // A syscall of other architectures only (iopl on aarch64): nothing to refuse here.
                    }

                    throw new ConfigurationException($"profile '{profileName}': [seccomp] names '{rule.Syscall}', which is no syscall libseccomp knows: check the spelling (e.g. \"ptrace\")");
                }

                var action = rule.Errno is { } errno ? ScmpActErrno(errno) : SCMP_ACT_KILL_PROCESS;
                var condition = new ScmpArgCmp { Arg = rule.Argument ?? 0, Op = SCMP_CMP_MASKED_EQ, DatumA = rule.Mask, DatumB = rule.Value };
                Check(SeccompRuleAddArray(context, action, syscall, rule.Argument is null ? 0u : 1u, &condition), $"seccomp_rule_add({rule.Syscall})");
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

    /// <summary>Syscalls that exist on some architectures and not others, so a profile may name them everywhere.</summary>
    private static readonly HashSet<string> KnownElsewhere = ["iopl", "ioperm", "uselib", "lookup_dcookie", "vhangup", "umount"];

    private static void Check(int result, string what)
    {
        if (result < 0)
        {
            throw new SandboxUnavailableException($"libseccomp refused the sandbox's syscall filter ({what}: error {-result})");
        }
    }
}
