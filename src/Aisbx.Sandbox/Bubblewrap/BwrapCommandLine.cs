using System.Collections.Immutable;
using System.Globalization;
using Aisbx.Core.Profiles;

namespace Aisbx.Sandbox.Bubblewrap;

/// <summary>
/// Renders a <see cref="LaunchPlan"/> as bubblewrap arguments. Descriptors the sandbox setup reads are placed at
/// fixed numbers: <see cref="StatusFd"/>, <see cref="WorkspaceFd"/>, <see cref="BlockFd"/>, then one per generated
/// file. Bubblewrap starts the launcher, which inherits <see cref="PayloadFd"/> and <see cref="HandOffFd"/>.
/// </summary>
public static class BwrapCommandLine
{
    public const int StatusFd = 3;
    public const int WorkspaceFd = 4;
    public const int BlockFd = 5;
    public const int PayloadFd = 6;
    public const int HandOffFd = 7;
    public const int FirstDataFd = 8;

    /// <param name="workspaceByPath">Bind the workspace by its host path instead of a descriptor (for printing and benchmarks).</param>
    /// <param name="blockUntilPlaced">The sandbox's init waits on <see cref="BlockFd"/> before it starts the program, until aisbx has put it in its cgroup.</param>
    public static BwrapInvocation Build(LaunchPlan plan, bool workspaceByPath = false, bool blockUntilPlaced = false)
    {
        var args = ImmutableArray.CreateBuilder<string>(64 + plan.Command.Length);
        var dataFiles = ImmutableArray.CreateBuilder<(int, string)>();

        // Namespaces and identity: all of them, uid/gid 1000 inside, no nested user namespaces, no capabilities.
        args.AddRange("--unshare-all", "--unshare-user", "--disable-userns");
        if (plan.Network == NetworkMode.Host)
        {
            args.Add("--share-net");
        }

        args.AddRange("--uid", Number(LaunchPlan.SandboxUid), "--gid", Number(LaunchPlan.SandboxGid));
        args.AddRange("--hostname", LaunchPlan.Hostname, "--cap-drop", "ALL");

        // A new session (no TIOCSTI into the caller's terminal), and death with aisbx.
        args.AddRange("--new-session", "--die-with-parent");
        if (!workspaceByPath)
        {
            args.AddRange("--json-status-fd", Number(StatusFd));
        }

        if (blockUntilPlaced)
        {
            args.AddRange("--block-fd", Number(BlockFd));
        }

        foreach (var op in plan.Mounts)
        {
            switch (op)
            {
                case BindMount bind:
                    args.AddRange(bind.ReadOnly ? "--ro-bind" : "--bind", bind.Source, bind.Target);
                    break;
                case WorkspaceMount workspace when workspaceByPath:
                    args.AddRange("--bind", workspace.HostPath, workspace.Target);
                    break;
                case WorkspaceMount workspace:
                    args.AddRange("--bind-fd", Number(WorkspaceFd), workspace.Target);
                    break;
                case TmpfsMount tmpfs:
                    args.AddRange("--perms", "1777", "--size", Number(tmpfs.SizeBytes), "--tmpfs", tmpfs.Target);
                    break;
                case ProcMount proc:
                    args.AddRange("--proc", proc.Target);
                    break;
                case DevMount dev:
                    args.AddRange("--dev", dev.Target);
                    break;
                case SymlinkOp link:
                    args.AddRange("--symlink", link.LinkTarget, link.Target);
                    break;
                case DataFile data:
                    var fd = FirstDataFd + dataFiles.Count;
                    dataFiles.Add((fd, data.Content));
                    args.AddRange("--perms", "0444", "--ro-bind-data", Number(fd), data.Target);
                    break;
                case RemountReadOnly remount:
                    args.AddRange("--remount-ro", remount.Target);
                    break;
                default:
                    throw new InvalidOperationException($"unknown mount step {op.GetType().Name}");
            }
        }

        // The launcher installs the syscall filter, hands its listener to aisbx, and execs the program.
        if (plan.Agent)
        {
            args.AddRange("--chdir", plan.WorkingDirectory, "--");
            args.AddRange(plan.LauncherPrefix);
            args.AddRange(LaunchPlan.LauncherPath, "--agent", Number(PayloadFd), Number(HandOffFd));
            return new BwrapInvocation(args.ToImmutable(), dataFiles.ToImmutable());
        }

        args.AddRange("--chdir", plan.WorkingDirectory, "--");
        args.AddRange(plan.LauncherPrefix);
        args.AddRange(LaunchPlan.LauncherPath, Number(PayloadFd), Number(HandOffFd));
        args.AddRange(plan.Command);
        return new BwrapInvocation(args.ToImmutable(), dataFiles.ToImmutable());
    }

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}
