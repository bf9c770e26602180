using System.Collections.Concurrent;
using System.Collections.Immutable;
using Aisbx.Core;
using Aisbx.Core.Profiles;
using Aisbx.Sandbox.Host;
using Aisbx.Sandbox.Launch;
using static Aisbx.Sandbox.Interop.Interop;

namespace Aisbx.Sandbox.Seccomp;

/// <summary>
/// Compiles seccomp rules into a classic-BPF program with libseccomp, for the launcher inside the sandbox to install
/// with a notification listener. Each distinct policy is compiled once per process. A syscall of a foreign ABI
/// (i386 <c>int 0x80</c>, x32) kills the sandbox in the kernel, without asking.
/// </summary>
public static class SeccompProgram
{
    private static readonly ConcurrentDictionary<SyscallPolicy, byte[]> Compiled = new(PolicyComparer.Instance);

    /// <exception cref="ConfigurationException">The policy names a syscall this architecture does not know.</exception>
    public static byte[] For(string profileName, SyscallPolicy policy) =>
        Compiled.GetOrAdd(policy, p => Compile(profileName, SeccompRules.For(p), p.IsAllowlist ? FilterAction.Notify : FilterAction.Allow));

    public static unsafe byte[] Compile(string profileName, ImmutableArray<SeccompRule> rules, FilterAction defaultAction)
    {
        nint context;
        try
        {
            context = SeccompInit(ActionValue(defaultAction, 0));
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
                    if (KnownElsewhere.Contains(rule.Syscall) || rule.Action == FilterAction.Allow)
                    {
                        continue; // A syscall of other architectures only (iopl on aarch64): nothing to refuse or allow here.
                    }

                    throw new ConfigurationException($"profile '{profileName}': [seccomp] names '{rule.Syscall}', which is no syscall libseccomp knows: check the spelling (e.g. \"ptrace\")");
                }

                var condition = new ScmpArgCmp { Arg = rule.Argument ?? 0, Op = SCMP_CMP_MASKED_EQ, DatumA = rule.Mask, DatumB = rule.Value };
                Check(SeccompRuleAddArray(context, ActionValue(rule.Action, rule.Errno), syscall, rule.Argument is null ? 0u : 1u, &condition), $"seccomp_rule_add({rule.Syscall})");
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

    private static uint ActionValue(FilterAction action, int errno) => action switch
    {
        FilterAction.Notify => SCMP_ACT_NOTIFY,
        FilterAction.Errno => ScmpActErrno(errno),
        _ => SCMP_ACT_ALLOW,
    };

    /// <summary>Syscalls that exist on some architectures and not others, so a profile may name them everywhere.</summary>
    private static readonly HashSet<string> KnownElsewhere = ["iopl", "ioperm", "uselib", "lookup_dcookie", "vhangup", "umount"];

    private static void Check(int result, string what)
    {
        if (result < 0)
        {
            throw new SandboxUnavailableException($"libseccomp refused the sandbox's syscall filter ({what}: error {-result})");
        }
    }

    /// <summary>Policies are records of arrays, which compare by reference: key the cache by their contents.</summary>
    private sealed class PolicyComparer : IEqualityComparer<SyscallPolicy>
    {
        public static readonly PolicyComparer Instance = new();

        public bool Equals(SyscallPolicy? x, SyscallPolicy? y) =>
            x is not null && y is not null && x.Default == y.Default &&
            x.Deny.SequenceEqual(y.Deny) && x.Kill.SequenceEqual(y.Kill) && x.Allow.SequenceEqual(y.Allow);

        public int GetHashCode(SyscallPolicy policy)
        {
            var hash = new HashCode();
            hash.Add(policy.Default);
            foreach (var name in policy.Deny.Concat(policy.Kill).Concat(policy.Allow))
            {
                hash.Add(name, StringComparer.Ordinal);
            }

            return hash.ToHashCode();
        }
    }
}
