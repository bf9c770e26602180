using System.Globalization;
using System.Text;
using Aisbx.Sandbox.Bubblewrap;
using Aisbx.Sandbox.Launch;

namespace Aisbx.Cli.Commands;

/// <summary>
/// Renders a plan as the bash command that starts the same sandbox with bubblewrap directly. The launcher inside
/// needs one thing bash cannot give it: a unix socket at fd 7 to hand its syscall listener to (aisbx holds the
/// other end; <c>bench/startup.py</c> does the same to time it).
/// </summary>
internal static class DryRun
{
    public static string Render(LaunchPlan plan)
    {
        var invocation = BwrapCommandLine.Build(plan, workspaceByPath: true);
        var line = new StringBuilder();
        line.Append(CultureInfo.InvariantCulture, $"# needs a unix socket at fd {BwrapCommandLine.HandOffFd} to receive the launcher's syscall listener\n");
        line.Append("env -i");
        foreach (var argument in LaunchCommandLine.ForShell(plan, invocation))
        {
            line.Append(' ').Append(Quote(argument));
        }

        // The launcher's payload (the syscall filter, the program's environment and the rlimits) is binary: it goes through a
        // file, in a fresh private directory (a fixed name in a shared temp dir would let another user plant a
        // symlink for root to write through).
        line.Append(CultureInfo.InvariantCulture, $" {BwrapCommandLine.PayloadFd}<{Quote(WritePayload(plan))}");

        foreach (var (fd, content) in invocation.DataFiles)
        {
            line.Append(CultureInfo.InvariantCulture, $" {fd}< <(printf '%s' {Quote(content)})");
        }

        return line.ToString();
    }

    /// <summary>The same command as data, for tools (<c>bench/startup.py</c>): the argument vector, the payload file, and the generated files by descriptor.</summary>
    public static DryRunDocument Document(LaunchPlan plan)
    {
        var invocation = BwrapCommandLine.Build(plan, workspaceByPath: true);
        return new DryRunDocument(
            LaunchCommandLine.ForShell(plan, invocation),
            WritePayload(plan),
            BwrapCommandLine.PayloadFd,
            BwrapCommandLine.HandOffFd,
            LaunchPlan.LauncherPath,
            [.. invocation.DataFiles.Select(d => new DryRunDataFile(d.Fd, d.Content))]);
    }

    private static string WritePayload(LaunchPlan plan)
    {
        var payload = Path.Combine(Directory.CreateTempSubdirectory("aisbx-dry-run-").FullName, "launch.payload");
        File.WriteAllBytes(payload, LaunchPayload.Encode(Sandbox.Seccomp.SeccompProgram.For(plan.ProfileName, plan.Syscalls), plan.Env, plan.EgressPorts, SandboxRlimits.For(plan.Limits)));
        return payload;
    }

    private static string Quote(string value) =>
        value.Length > 0 && value.All(c => char.IsAsciiLetterOrDigit(c) || "-_./=:,@%+".Contains(c, StringComparison.Ordinal))
            ? value
            : "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}

/// <summary><c>aisbx run --dry-run --json</c>: what would be spawned, and what its descriptors would hold.</summary>
internal sealed record DryRunDocument(IReadOnlyList<string> Argv, string PayloadFile, int PayloadFd, int HandOffFd, string Launcher, IReadOnlyList<DryRunDataFile> DataFiles);

internal sealed record DryRunDataFile(int Fd, string Content);
