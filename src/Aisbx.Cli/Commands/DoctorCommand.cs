using System.CommandLine;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using Aisbx.Core;
using Aisbx.Core.Runs;
using Aisbx.Sandbox;
using Aisbx.Sandbox.Host;

namespace Aisbx.Cli.Commands;

/// <summary>
/// <c>aisbx doctor</c>: checks everything a sandbox needs on this host and says what to do about what is missing.
/// Exits 1 when sandboxes cannot run here.
/// </summary>
internal static class DoctorCommand
{
    private const string Ok = "ok";
    private const string Warn = "warn";
    private const string Fail = "fail";
    private static readonly string[] V1Controllers = ["memory", "pids", "cpu"];

    public static Command Create(Option<string?> configOption)
    {
        var json = new Option<bool>("--json") { Description = "Print JSON" };
        var doctor = new Command("doctor", "Check this host: bubblewrap, user namespaces, seccomp, cgroups, and each profile's toolchain") { json };
        doctor.SetAction(async (parseResult, cancellationToken) =>
        {
            var runner = CliConfig.Runner(parseResult, configOption);
            var checks = new List<DoctorCheck>();
            checks.Add(Bubblewrap());
            checks.AddRange(Identity(runner));
            checks.Add(await SandboxStarts(runner, cancellationToken));
            checks.Add(Seccomp(runner));
            checks.Add(Cgroups());
            checks.Add(Builds());
            checks.AddRange(runner.Profiles.All().Select(profile => ProfileCheck(runner, profile)));

            var report = new DoctorReport(checks.All(c => c.Status != Fail), checks);
            if (parseResult.GetValue(json))
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(report, CliJsonContext.Default.DoctorReport));
            }
            else
            {
                foreach (var check in checks)
                {
                    Console.Out.WriteLine($"[{check.Status,-4}] {check.Name}: {check.Detail}");
                }

                Console.Out.WriteLine(report.Ok ? "aisbx can run sandboxes on this host." : "aisbx cannot run sandboxes on this host: fix the [fail] lines above.");
            }

            return report.Ok ? 0 : 1;
        });
        return doctor;
    }

    private static DoctorCheck Bubblewrap()
    {
        if (!HostTools.HasBwrap)
        {
            return new DoctorCheck("bubblewrap", Fail, "bwrap is not installed: apt-get install bubblewrap");
        }

        var version = Capture(HostTools.Bwrap, "--version");
        return new DoctorCheck("bubblewrap", Ok, $"{HostTools.Bwrap} ({version})");
    }

    private static IEnumerable<DoctorCheck> Identity(SandboxRunner runner)
    {
        var config = runner.Config;
        yield return new DoctorCheck("config", Ok, $"{config.ConfigDirectory} (profiles in {config.ProfilesDirectory})");
        if (!SandboxIdentity.CallerIsRoot)
        {
            yield return new DoctorCheck("host uid", Ok, "aisbx runs unprivileged; sandboxes run as you, mapped to uid 1000 inside");
            yield break;
        }

        yield return HostTools.HasSetpriv
            ? new DoctorCheck("setpriv", Ok, HostTools.Setpriv)
            : new DoctorCheck("setpriv", Fail, "setpriv is missing, and aisbx needs it to leave root: apt-get install util-linux");

        var login = LoginUser(config.SandboxUid);
        yield return login is null
            ? new DoctorCheck("host uid", Ok, $"aisbx runs as root; sandboxes run as unprivileged uid {config.SandboxUid}:{config.SandboxGid}, never root")
            : new DoctorCheck("host uid", Warn, $"sandbox uid {config.SandboxUid} is the login user '{login}': set [sandbox] host_uid in {config.ConfigFile} to an unused uid");
    }

    private static DoctorCheck Builds() =>
        Aisbx.Sandbox.Rootfs.RootfsBuilder.CanBuildPackages
            ? new DoctorCheck("builds", Ok, "mmdebstrap present: aisbx build can make package trees")
            : new DoctorCheck("builds", Warn, "aisbx build cannot make package trees without mmdebstrap (apt-get install mmdebstrap)");

    /// <summary>The profile's environment (built, missing, stale, or the host's) and, where it can run, its toolchain.</summary>
    private static DoctorCheck ProfileCheck(SandboxRunner runner, Core.Profiles.Profile profile)
    {
        var tree = runner.Trees.Status(profile);
        if (tree.State is Aisbx.Sandbox.Rootfs.TreeState.Missing or Aisbx.Sandbox.Rootfs.TreeState.Stale)
        {
            return new DoctorCheck($"profile {profile.Name}", Warn, $"environment {tree.Describe()}");
        }

        var missing = runner.MissingTools(profile);
        var where = tree.State == Aisbx.Sandbox.Rootfs.TreeState.Host ? "on this host" : "in its environment";
        return missing.Count == 0
            ? new DoctorCheck($"profile {profile.Name}", Ok, $"environment {tree.Describe()}; toolchain present: {string.Join(", ", profile.Toolchain)}")
            : new DoctorCheck($"profile {profile.Name}", Warn, $"environment {tree.Describe()}; missing {where}: {string.Join(", ", missing)}; " +
                (tree.State == Aisbx.Sandbox.Rootfs.TreeState.Host ? $"{profile.InstallHint ?? "install it"}, or add a [[mounts]] entry for where it lives" : "add its package to [rootfs] packages and run aisbx build"));
    }

    private static async Task<DoctorCheck> SandboxStarts(SandboxRunner runner, CancellationToken cancellationToken)
    {
        if (!HostTools.HasBwrap)
        {
            return new DoctorCheck("sandbox", Fail, "cannot start without bubblewrap");
        }

        try
        {
            // On the host's /usr: whether sandboxes can start at all, before any environment is built.
            var onHost = new SandboxRunner(runner.Config, runner.Profiles.With(runner.Profiles.Get("default") with { Rootfs = Core.Rootfs.RootfsSpec.Host }));
            var result = await onHost.RunAsync(new RunRequest { Command = ["/bin/true"], CaptureOutput = true }, RunIo.None, cancellationToken);
            return result.ExitCode == 0
                ? new DoctorCheck("sandbox", Ok, $"user, mount, pid, net, ipc, uts and cgroup namespaces work; /bin/true ran in {result.DurationMs:0.0} ms")
                : new DoctorCheck("sandbox", Fail, $"/bin/true exited {result.ExitCode} in the sandbox: {result.Stderr.Trim()}");
        }
        catch (AisbxException ex)
        {
            return new DoctorCheck("sandbox", Fail, $"{ex.Message}. {UserNamespaceHint()}");
        }
    }

    private static string UserNamespaceHint()
    {
        var hints = new List<string>();
        if (ReadSysctl("kernel/unprivileged_userns_clone") == "0")
        {
            hints.Add("unprivileged user namespaces are off: sysctl -w kernel.unprivileged_userns_clone=1");
        }

        if (ReadSysctl("user/max_user_namespaces") == "0")
        {
            hints.Add("user.max_user_namespaces is 0: sysctl -w user.max_user_namespaces=10000");
        }

        if (ReadSysctl("kernel/apparmor_restrict_unprivileged_userns") == "1")
        {
            hints.Add("AppArmor restricts unprivileged user namespaces: add an AppArmor profile for bwrap, or sysctl -w kernel.apparmor_restrict_unprivileged_userns=0");
        }

        return hints.Count == 0 ? "Check that user namespaces are allowed in this environment (containers often forbid them)" : string.Join("; ", hints);
    }

    private static DoctorCheck Seccomp(SandboxRunner runner)
    {
        var kernel = File.Exists("/proc/self/status") && File.ReadAllText("/proc/self/status").Contains("Seccomp:", StringComparison.Ordinal);
        var library = NativeLibrary.TryLoad("libseccomp.so.2", out var handle);
        if (library)
        {
            NativeLibrary.Free(handle);
        }

        if (!kernel)
        {
            return new DoctorCheck("seccomp", Fail, "the kernel has no seccomp support, and every sandbox needs its syscall filter");
        }

        if (!library)
        {
            return new DoctorCheck("seccomp", Fail, "libseccomp is missing, and every sandbox needs its syscall filter: apt-get install libseccomp2");
        }

        if (!Aisbx.Sandbox.Host.HostTools.HasLauncher)
        {
            return new DoctorCheck("seccomp", Fail, $"{Aisbx.Sandbox.Host.HostTools.LauncherName}, which installs the filter inside every sandbox, is not beside aisbx: rebuild with scripts/setup.sh");
        }

        try
        {
            var profiles = runner.Profiles.All();
            var instructions = profiles.Sum(p => Aisbx.Sandbox.Seccomp.SeccompProgram.For(p.Name, p.Syscalls).Length / 8);
            return new DoctorCheck("seccomp", Ok,
                $"every profile's filter compiles ({profiles.Count} profiles, {instructions} BPF instructions in all); {Aisbx.Sandbox.Host.HostTools.LauncherName} installs it " +
                "with a notification listener, so each refused syscall is named as it happens: deny answers EPERM, kill ends the sandbox; a foreign-ABI syscall is killed by the kernel");
        }
        catch (AisbxException ex)
        {
            return new DoctorCheck("seccomp", Fail, ex.Message);
        }
    }

    private static DoctorCheck Cgroups()
    {
        var found = new List<string>();
        if (File.Exists("/sys/fs/cgroup/cgroup.controllers"))
        {
            found.Add("cgroup v2 (unified)");
        }
        else if (Directory.Exists("/sys/fs/cgroup/unified"))
        {
            found.Add("cgroup v2 (hybrid, at /sys/fs/cgroup/unified)");
        }

        found.AddRange(V1Controllers.Where(c => Directory.Exists("/sys/fs/cgroup/" + c)).Select(c => $"v1 {c}"));
        var what = found.Count == 0 ? "no cgroup hierarchy found" : string.Join(", ", found);
        var mode = Aisbx.Sandbox.Limits.CgroupHost.Mode;
        var cgroups = mode != Aisbx.Sandbox.Limits.CgroupMode.None;
        var group = mode == Aisbx.Sandbox.Limits.CgroupMode.V2 ? "cgroup v2" : "cgroup v1";
        var wholeSandboxCpu = mode == Aisbx.Sandbox.Limits.CgroupMode.V2 || (cgroups && Aisbx.Sandbox.Limits.CgroupHost.HasV1CpuAccounting);
        string[] mechanisms =
        [
            "wall-time: aisbx's timer",
            wholeSandboxCpu
                ? $"cpu-time: {group} {(mode == Aisbx.Sandbox.Limits.CgroupMode.V2 ? "cpu.stat" : "cpuacct")} for the whole sandbox, and RLIMIT_CPU per process"
                : "cpu-time: RLIMIT_CPU per process only (no cgroup CPU accounting)",
            cgroups ? $"memory: {group} memory" : "memory: NOT enforced (no cgroup)",
            cgroups ? $"pids: {group} pids" : "pids: NOT enforced (no cgroup)",
            "file-size: RLIMIT_FSIZE",
            "open-files: RLIMIT_NOFILE",
            "tmp-size: tmpfs size",
            "output: aisbx's capture cap",
        ];
        return new DoctorCheck("limits", cgroups ? Ok : Warn,
            $"{what}; {Aisbx.Sandbox.Limits.CgroupHost.Describe()}. In force: {string.Join("; ", mechanisms)}");
    }

    private static string? LoginUser(int uid)
    {
        if (!File.Exists("/etc/passwd"))
        {
            return null;
        }

        foreach (var line in File.ReadLines("/etc/passwd"))
        {
            var fields = line.Split(':');
            if (fields.Length >= 7 && fields[2] == uid.ToString(System.Globalization.CultureInfo.InvariantCulture)
                && !fields[6].EndsWith("nologin", StringComparison.Ordinal) && !fields[6].EndsWith("false", StringComparison.Ordinal))
            {
                return fields[0];
            }
        }

        return null;
    }

    private static string? ReadSysctl(string name)
    {
        var path = "/proc/sys/" + name;
        return File.Exists(path) ? File.ReadAllText(path).Trim() : null;
    }

    private static string Capture(string program, string argument)
    {
        using var process = Process.Start(new ProcessStartInfo(program, argument) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var text = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        return text;
    }
}
