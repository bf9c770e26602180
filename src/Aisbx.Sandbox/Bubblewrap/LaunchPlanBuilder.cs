using System.Collections.Immutable;
using Aisbx.Core;
using Aisbx.Core.Configuration;
using Aisbx.Core.Policy;
using Aisbx.Core.Profiles;

namespace Aisbx.Sandbox.Bubblewrap;

/// <summary>Turns an approved request into a <see cref="LaunchPlan"/>: the filesystem, environment and identity of the sandbox.</summary>
/// <param name="launcher">The launcher's host path, asked for only when a plan is built.</param>
public sealed class LaunchPlanBuilder(AisbxConfig config, ImmutableArray<MountOp> rootfs, Func<string, string?> resolveHostPath, Func<string> launcher)
{
    /// <param name="workspaceHostPath">The host directory behind /workspace; null for a tmpfs of <paramref name="workspaceTmpfsBytes"/> (a live sandbox's).</param>
    /// <param name="system">The profile's system, as its lease mounts it (and starts the launcher in it); null for the builder's own mounts (the host's).</param>
    public LaunchPlan Build(ApprovedRun run, string sandboxId, string? workspaceHostPath, HostIdentity? runAs, long workspaceTmpfsBytes = 0, Rootfs.RootfsLease? system = null)
    {
        var mounts = ImmutableArray.CreateBuilder<MountOp>();
        mounts.AddRange(system?.Mounts ?? rootfs);
        AddProfileMounts(run.Profile, mounts);
        mounts.Add(new DataFile($"{LaunchPlan.SandboxUser}:x:{LaunchPlan.SandboxUid}:{LaunchPlan.SandboxGid}:aisbx sandbox:/tmp:/bin/sh\n", "/etc/passwd"));
        mounts.Add(new DataFile($"{LaunchPlan.SandboxUser}:x:{LaunchPlan.SandboxGid}:\n", "/etc/group"));
        // git refuses a repository owned by another uid (CVE-2022-24765); inside, every repository is the program's.
        mounts.Add(new DataFile("[safe]\n\tdirectory = *\n", "/etc/gitconfig"));
        if (run.Network == NetworkMode.Host && resolveHostPath("/etc/resolv.conf") is { } resolvConf)
        {
            mounts.Add(new BindMount(resolvConf, "/etc/resolv.conf", ReadOnly: true));
        }

        AddHostCertificates(run, system, mounts);
        mounts.Add(new ProcMount("/proc"));
        mounts.Add(new DevMount("/dev"));

        // bubblewrap's /dev is a tmpfs as large as half the host's memory: keep it read-only and give shared memory
        // its own capped tmpfs.
        mounts.Add(new TmpfsMount("/dev/shm", run.Limits.TmpSizeBytes));
        mounts.Add(new RemountReadOnly("/dev"));
        mounts.Add(new TmpfsMount("/tmp", run.Limits.TmpSizeBytes));
        mounts.Add(workspaceHostPath is null
            ? new TmpfsMount(LaunchPlan.WorkspacePath, workspaceTmpfsBytes)
            : new WorkspaceMount(workspaceHostPath, LaunchPlan.WorkspacePath));
        mounts.Add(new BindMount(launcher(), LaunchPlan.LauncherPath, ReadOnly: true));
        mounts.Add(new RemountReadOnly("/"));

        var allowlist = run.Network == NetworkMode.Allowlist;
        return new LaunchPlan
        {
            SandboxId = sandboxId,
            ProfileName = run.Profile.Name,
            Mounts = mounts.ToImmutable(),
            Command = run.Request.Command,
            Env = [.. ProxyEnvironment(allowlist).SetItems(run.Profile.Env).SetItems(run.Request.Env)],
            Network = run.Network,
            Limits = run.Limits,
            Syscalls = run.Profile.Syscalls,
            RunAs = runAs,
            LauncherPrefix = system?.LauncherPrefix ?? [],
            EgressPorts = allowlist ? Egress.EgressPorts.All : [],
        };
    }

    /// <summary>With an allowlist, the proxy's variables come first; the profile and the caller may still set their own.</summary>
    public static ImmutableSortedDictionary<string, string> ProxyEnvironment(bool allowlist) =>
        allowlist ? ImmutableSortedDictionary<string, string>.Empty.SetItems(Egress.EgressPorts.Environment) : ImmutableSortedDictionary<string, string>.Empty;

    /// <summary>
    /// A tree brings Debian's CA bundle; a program with a network gets the host's instead (read-only, the same
    /// file at the same path), so that what the host trusts (a company CA, a TLS-inspecting gateway) works inside.
    /// </summary>
    private void AddHostCertificates(ApprovedRun run, Rootfs.RootfsLease? system, ImmutableArray<MountOp>.Builder mounts)
    {
        const string Bundle = "/etc/ssl/certs/ca-certificates.crt";
        if (run.Network != NetworkMode.None && config.Egress.TrustHostCertificates && system?.TreePath is { } tree
            && new FileInfo(tree + Bundle) is { Exists: true, LinkTarget: null } && resolveHostPath(Bundle) is { } host && File.Exists(host))
        {
            mounts.Add(new BindMount(host, Bundle, ReadOnly: true));
        }
    }

    private void AddProfileMounts(Profile profile, ImmutableArray<MountOp>.Builder mounts)
    {
        foreach (var mount in profile.Mounts)
        {
            var requested = config.ExpandHome(mount.Source);
            var source = resolveHostPath(requested);
            if (source is null)
            {
                if (mount.Optional)
                {
                    continue;
                }

                throw new ConfigurationException(
                    $"profile '{profile.Name}' mounts {requested}, which does not exist on this host: install what provides it, or mark the mount optional = true");
            }

            foreach (var secret in new[] { config.ConfigDirectory, config.WorkspaceBase })
            {
                if (WorkdirPolicy.IsSameOrInside(source, secret) || WorkdirPolicy.IsSameOrInside(secret, source))
                {
                    throw new ConfigurationException(
                        $"profile '{profile.Name}' mounts {source}, which overlaps aisbx's own directory {secret}: mount a narrower path");
                }
            }

            mounts.Add(new BindMount(source, mount.Target, ReadOnly: true));
        }
    }
}
