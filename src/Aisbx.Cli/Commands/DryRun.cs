using System.Globalization;
using System.Text;
using Aisbx.Sandbox.Bubblewrap;
using Aisbx.Sandbox.Launch;

namespace Aisbx.Cli.Commands;

/// <summary>Renders a plan as the bash command that runs the same sandbox with bubblewrap directly.</summary>
internal static class DryRun
{
    public static string Render(LaunchPlan plan)
    {
        var invocation = BwrapCommandLine.Build(plan, workspaceByPath: true);
        var line = new StringBuilder();
        line.Append("env -i");
        foreach (var (name, value) in plan.Env)
        {
            line.Append(' ').Append(Quote($"{name}={value}"));
        }

        foreach (var argument in LaunchCommandLine.Build(plan, invocation).Argv)
        {
            line.Append(' ').Append(Quote(argument));
        }

        // The syscall filter is binary: it goes through a file, in a fresh private directory (a fixed name in a shared
        // temp dir would let another user plant a symlink for root to write through).
        var filter = Path.Combine(Directory.CreateTempSubdirectory("aisbx-dry-run-").FullName, "seccomp.bpf");
        File.WriteAllBytes(filter, Sandbox.Seccomp.SeccompProgram.For(plan.ProfileName, plan.Syscalls));
        line.Append(CultureInfo.InvariantCulture, $" {BwrapCommandLine.SeccompFd}<{Quote(filter)}");

        foreach (var (fd, content) in invocation.DataFiles)
        {
            line.Append(CultureInfo.InvariantCulture, $" {fd}< <(printf '%s' {Quote(content)})");
        }

        return line.ToString();
    }

    private static string Quote(string value) =>
        value.Length > 0 && value.All(c => char.IsAsciiLetterOrDigit(c) || "-_./=:,@%+".Contains(c, StringComparison.Ordinal))
            ? value
            : "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
