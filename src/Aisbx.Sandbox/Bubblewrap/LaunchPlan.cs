using System.Collections.Immutable;
using Aisbx.Core.Profiles;

namespace Aisbx.Sandbox.Bubblewrap;

/// <summary>
/// Everything needed to start one sandbox, as a plain value: built by <see cref="LaunchPlanBuilder"/>, turned into a
/// bubblewrap command line by <see cref="BwrapCommandLine"/>, and testable without starting anything.
/// </summary>
public sealed record LaunchPlan
{
    public const string WorkspacePath = "/workspace";
    public const int SandboxUid = 1000;
    public const int SandboxGid = 1000;
    public const string SandboxUser = "sandbox";
    public const string Hostname = "aisbx";

    /// <summary>Where the launcher is mounted inside the sandbox; it runs first and execs the program.</summary>
    public const string LauncherPath = "/run/aisbx/launch";

    public required string SandboxId { get; init; }

    public required string ProfileName { get; init; }

    public required ImmutableArray<MountOp> Mounts { get; init; }

    public required ImmutableArray<string> Command { get; init; }

    /// <summary>The program's whole environment, sorted by name; nothing of aisbx's own leaks in.</summary>
    public required ImmutableArray<KeyValuePair<string, string>> Env { get; init; }

    public required NetworkMode Network { get; init; }

    public required ResourceLimits Limits { get; init; }

    /// <summary>The profile's syscall rules, compiled into the sandbox's seccomp filter.</summary>
    public SyscallPolicy Syscalls { get; init; } = SyscallPolicy.Empty;

    /// <summary>Null when aisbx is not root and bubblewrap runs as the caller.</summary>
    public HostIdentity? RunAs { get; init; }

    public string WorkingDirectory { get; init; } = WorkspacePath;

    /// <summary>A live sandbox: the launcher stays as its agent (<c>--agent</c>) instead of exec'ing <see cref="Command"/>.</summary>
    public bool Agent { get; init; }

    /// <summary>
    /// The ports the launcher listens on inside (127.0.0.1) and hands to aisbx's egress proxy, in the order of
    /// <see cref="Egress.EgressPorts"/>; empty unless the network is an allowlist.
    /// </summary>
    public ImmutableArray<int> EgressPorts { get; init; } = [];

    /// <summary>Arguments before the launcher's path: the host's loader, in a tree that may lack a glibc the launcher can use.</summary>
    public ImmutableArray<string> LauncherPrefix { get; init; } = [];

    public string? EnvValue(string name)
    {
        foreach (var (key, value) in Env)
        {
            if (key == name)
            {
                return value;
            }
        }

        return null;
    }
}
