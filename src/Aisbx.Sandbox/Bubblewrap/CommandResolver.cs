using Aisbx.Core.Profiles;
using Aisbx.Sandbox.Host;

namespace Aisbx.Sandbox.Bubblewrap;

/// <summary>The outcome of looking for the program the way the sandbox will (PATH, then the mounts).</summary>
public enum CommandLookup
{
    Found,
    NotFound,
    NotExecutable,
}

/// <summary>
/// Finds the command before launch through the plan's mounts, so that a missing program is a clear 127 that names
/// the profile and its PATH instead of a bubblewrap error.
/// </summary>
public static class CommandResolver
{
    public static CommandLookup Resolve(LaunchPlan plan, Func<string, (bool Exists, bool Executable)> probeHost)
    {
        var command = plan.Command[0];
        if (command.Contains('/', StringComparison.Ordinal))
        {
            var sandboxPath = command.StartsWith('/') ? command : plan.WorkingDirectory + "/" + command;
            return Probe(plan, sandboxPath, probeHost) ?? CommandLookup.NotFound;
        }

        var sawNonExecutable = false;
        foreach (var directory in (plan.EnvValue("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            switch (Probe(plan, directory.TrimEnd('/') + "/" + command, probeHost))
            {
                case CommandLookup.Found:
                    return CommandLookup.Found;
                case CommandLookup.NotExecutable:
                    sawNonExecutable = true;
                    break;
            }
        }

        return sawNonExecutable ? CommandLookup.NotExecutable : CommandLookup.NotFound;
    }

    /// <param name="requestEnv">The environment the request set, to tell a PATH of the caller's from the profile's.</param>
    public static string NotFoundMessage(LaunchPlan plan, Profile profile, CommandLookup lookup, IReadOnlyDictionary<string, string> requestEnv)
    {
        var command = plan.Command[0];
        if (lookup == CommandLookup.NotExecutable)
        {
            return $"aisbx: {command}: permission denied: it exists in the sandbox but is not executable (chmod +x it, or run it through its interpreter)";
        }

        if (!command.Contains('/', StringComparison.Ordinal) && requestEnv.TryGetValue("PATH", out var requestedPath)
            && profile.Env.TryGetValue("PATH", out var profilePath) && profilePath != requestedPath
            && Resolve(plan with { Env = [.. plan.Env.Where(e => e.Key != "PATH"), new("PATH", profilePath)] }, HostProbe.Probe) == CommandLookup.Found)
        {
            return $"aisbx: {command}: command not found in the PATH this run set (PATH={requestedPath}); the profile's PATH ({profilePath}) has it: leave PATH unset, or include the directory that holds {command}";
        }

        var toolchain = profile.Rootfs.IsBuilt
            ? $" Add the package that provides it to the profile's [rootfs] packages and run aisbx build --profile {profile.Name}, use a profile that has it ('aisbx profile list'), or give its full path."
            : profile.Toolchain.Contains(command)
            ? $" {command} is the toolchain of profile '{profile.Name}', and this host has none: {profile.InstallHint ?? "install it"}, or add a [[mounts]] entry for where it lives. 'aisbx doctor' checks every profile."
            : $" Install it on the host, use a profile that has it ('aisbx profile list'), or give its full path.";
        return command.Contains('/', StringComparison.Ordinal)
            ? $"aisbx: {command}: no such file in the sandbox.{toolchain}"
            : $"aisbx: {command}: command not found in profile '{profile.Name}' (PATH={plan.EnvValue("PATH")}).{toolchain}";
    }

    private static CommandLookup? Probe(LaunchPlan plan, string sandboxPath, Func<string, (bool Exists, bool Executable)> probeHost)
    {
        if (plan.Mounts.OfType<DataFile>().Any(file => file.Target == sandboxPath))
        {
            return CommandLookup.NotExecutable; // A file aisbx generates, such as /etc/passwd: there, but never executable.
        }

        if (SandboxPathMap.ToHost(plan, sandboxPath) is not { } hostPath)
        {
            return null;
        }

        var (exists, executable) = probeHost(hostPath);
        return !exists ? null : executable ? CommandLookup.Found : CommandLookup.NotExecutable;
    }
}
