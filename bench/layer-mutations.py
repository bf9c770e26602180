# Removes one isolation layer or service control at a time, runs the tests that guard it, and prints which tests
# caught it. Run from anywhere: python3 bench/layer-mutations.py [NAME...]; it restores every file it touches.
# Engine layers run the real-sandbox tests; the service's controls run the in-process server specs.
import subprocess, sys, re
import os
root=os.path.dirname(os.path.dirname(os.path.abspath(__file__)))+'/'
muts=[
 ("unshare-all", "src/Aisbx.Sandbox/Bubblewrap/BwrapCommandLine.cs", 'args.AddRange("--unshare-all", "--unshare-user", "--disable-userns");', 'args.AddRange("--unshare-user", "--disable-userns");'),
 ("closefrom", "src/Aisbx.Sandbox/Launch/NativeProcess.cs", 'Check(PosixSpawnFileActionsAddCloseFrom(fileActions, highest + 1), "posix_spawn_file_actions_addclosefrom_np");', ''),
 ("leave-root", "src/Aisbx.Sandbox/Launch/NativeProcess.cs", 'using var identity = UnprivilegedSpawnScope.Enter(runAs);', 'using var identity = UnprivilegedSpawnScope.Enter(null);'),
 ("die-with-parent", "src/Aisbx.Sandbox/Bubblewrap/BwrapCommandLine.cs", 'args.AddRange("--new-session", "--die-with-parent");', 'args.AddRange("--new-session");'),
 ("tmpfs-size", "src/Aisbx.Sandbox/Bubblewrap/BwrapCommandLine.cs", 'args.AddRange("--perms", "1777", "--size", Number(tmpfs.SizeBytes), "--tmpfs", tmpfs.Target);', 'args.AddRange("--perms", "1777", "--tmpfs", tmpfs.Target);'),
 ("remount-ro", "src/Aisbx.Sandbox/Bubblewrap/BwrapCommandLine.cs", 'args.AddRange("--remount-ro", remount.Target);', ''),
 ("env-leak", "src/Aisbx.Sandbox/Launch/SandboxSpawn.cs", 'SeccompProgram.For(plan.ProfileName, plan.Syscalls), programEnvironment, plan.EgressPorts', 'SeccompProgram.For(plan.ProfileName, plan.Syscalls), [.. programEnvironment, .. Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>().Select(e => KeyValuePair.Create((string)e.Key, (string)e.Value!))], plan.EgressPorts'),
 ("host-tools-env", "src/Aisbx.Sandbox/Launch/SandboxSpawn.cs", 'NativeProcess.Start(executable, argv, HostEnvironment, fds, plan.RunAs);', 'NativeProcess.Start(executable, argv, [.. programEnvironment], fds, plan.RunAs);'),
 ("disable-userns", "src/Aisbx.Sandbox/Bubblewrap/BwrapCommandLine.cs", 'args.AddRange("--unshare-all", "--unshare-user", "--disable-userns");', 'args.AddRange("--unshare-all", "--unshare-user");'),
 ("new-session", "src/Aisbx.Sandbox/Bubblewrap/BwrapCommandLine.cs", 'args.AddRange("--new-session", "--die-with-parent");', 'args.AddRange("--die-with-parent");'),
 ("output-cap", "src/Aisbx.Sandbox/Output/CapturingSink.cs", 'var room = capBytes - _kept.WrittenCount;', 'var room = long.MaxValue;'),
 ("workdir-policy", "src/Aisbx.Sandbox/Host/Workspace.cs", 'WorkdirPolicy.CheckResolved(resolved, ResolvedRoots(config), ProtectedPaths(config), config.ConfigFile, requested);', ''),
 ("no-net", "src/Aisbx.Sandbox/Bubblewrap/BwrapCommandLine.cs", 'if (plan.Network == NetworkMode.Host)', 'if (true)'),
 ("no-pid", "src/Aisbx.Sandbox/Bubblewrap/BwrapCommandLine.cs", 'args.AddRange("--unshare-all", "--unshare-user", "--disable-userns");', 'args.AddRange("--unshare-user", "--disable-userns", "--unshare-ipc", "--unshare-net", "--unshare-uts", "--unshare-cgroup");'),
 ("rlimits", "src/Aisbx.Sandbox/Launch/SandboxSpawn.cs", 'plan.EgressPorts, SandboxRlimits.For(plan.Limits));', 'plan.EgressPorts, []);'),
 ("cgroup-placement", "src/Aisbx.Sandbox/Launch/CgroupPlacement.cs", 'cgroup.Add(pid);', '_ = cgroup;'),
 ("seccomp-rules", "src/Aisbx.Sandbox/Seccomp/SeccompRules.cs", 'public static ImmutableArray<SeccompRule> For(SyscallPolicy policy) => policy.IsAllowlist ? ForAllowlist(policy) : ForDenylist(policy);', 'public static ImmutableArray<SeccompRule> For(SyscallPolicy policy) => policy.IsAllowlist ? ForAllowlist(policy) : [];'),
 ("seccomp-answer", "src/Aisbx.Sandbox/Seccomp/ViolationMonitor.cs", 'var response = new SeccompNotifResp { Id = request.Id, Error = -EPERM };', 'var response = new SeccompNotifResp { Id = request.Id, Error = 0 };'),
 ("seccomp-kill", "src/Aisbx.Sandbox/Seccomp/ViolationMonitor.cs", 'if (verdict.Action == SyscallAction.Kill)', 'if (verdict.Action == SyscallAction.Kill && false)'),
 ("allowlist", "src/Aisbx.Sandbox/Seccomp/SeccompProgram.cs", 'p.IsAllowlist ? FilterAction.Notify : FilterAction.Allow', 'FilterAction.Allow'),
 ("cpu-time-cgroup", "src/Aisbx.Sandbox/Launch/SupervisionLoop.cs", 'if (exit is null && process.KilledAt is null && cpuWatch is not null && cpuWatch.Check(now))', 'if (exit is null && process.KilledAt is null && cpuWatch is not null && cpuWatch.Check(now) && false)'),
 ("lockout", "src/Aisbx.Sandbox/SandboxRunner.cs", 'lockout?.EnsureAllowed(request.Caller);', ''),
 ("stdin-pipe", "src/Aisbx.Sandbox/Launch/SandboxSpawn.cs", '(SandboxExecution.Fd(stdinPipe.Read), 0), ', '(0, 0), '),
 ("secret-redaction", "src/Aisbx.Sandbox/SandboxRunner.cs", 'var redactedOut = secretValues.Count > 0 ? new RedactingSink(stdout, secretValues) : null;', 'RedactingSink? redactedOut = null;'),
 ("audit-chain", "src/Aisbx.Core/Audit/AuditLog.cs", 'var prev = head?.Hash ?? Genesis;', 'var prev = Genesis;'),
 ("server:api-keys", "src/Aisbx.Server/ServerComposition.cs", 'app.Use(authentication.InvokeAsync);', ''),
 ("server:headers", "src/Aisbx.Server/ServerComposition.cs", 'app.Use(SecurityHeaders.InvokeAsync);', ''),
 ("server:host-origin", "src/Aisbx.Server/ServerComposition.cs", 'app.Use(guard.InvokeAsync);', ''),
 ("server:rate-limit", "src/Aisbx.Server/ServerComposition.cs", 'app.UseRateLimiter();', ''),
 ("server:body-limit", "src/Aisbx.Server/HttpTransport.cs", 'kestrel.Limits.MaxRequestBodySize = MaxRequestBodyBytes;', ''),
 ("server:scopes", "src/Aisbx.Service/CallerIdentity.cs", 'public bool Allows(string scope) => Scopes is null || Scopes.Contains(scope) || Scopes.Contains("*");', 'public bool Allows(string scope) => Scopes is null || scope.Length >= 0;'),
]
SUITES = {
    "sandbox": ["tests/Aisbx.Sandbox.Tests"],
    "core": ["tests/Aisbx.Core.Tests"],
    "server": ["tests/Aisbx.Mcp.Tests", "--filter", "FullyQualifiedName~Supervisor|FullyQualifiedName~Factory"],
}

def suite(name, path):
    return "server" if name.startswith("server:") else "core" if path.startswith("src/Aisbx.Core/") else "sandbox"

only = sys.argv[1:] 
for name, path, old, new in muts:
    if only and name not in only: continue
    p=root+path; s=open(p).read()
    if old not in s:
        print(f"== {name}: STALE, its code is no longer in {path}: update the mutation", flush=True)
        continue
    open(p,'w').write(s.replace(old,new))
    try:
        target=SUITES[suite(name, path)]
        r=subprocess.run(['timeout','300','dotnet','test',root+target[0],'--nologo',*target[1:]],capture_output=True,text=True)
        out=r.stdout
        failed=re.findall(r'Failed (Aisbx\S+)', out)
        summary=[l for l in out.splitlines() if 'Passed!' in l or 'Failed!' in l or 'error' in l][:3]
        print(f"== {name}: {len(failed)} failing: {sorted(set(f.split('(')[0].split('.')[-1] for f in failed))} {summary}", flush=True)
    finally:
        open(p,'w').write(s)
