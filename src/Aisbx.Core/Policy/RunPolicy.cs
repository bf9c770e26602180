using System.Text;
using Aisbx.Core.Configuration;
using Aisbx.Core.Profiles;
using Aisbx.Core.Runs;
using Aisbx.Core.Units;

namespace Aisbx.Core.Policy;

/// <summary>
/// Every rule a request must pass before a sandbox starts, in one place for every entry point (CLI, MCP, REST).
/// The workdir is judged separately, by <see cref="WorkdirPolicy"/>, once its real path is known.
/// </summary>
public static class RunPolicy
{
    public static ApprovedRun Approve(RunRequest request, ProfileCatalog catalog, AisbxConfig config)
    {
        CheckCommand(request, config.RequestLimits);
        CheckEnv(request, config.RequestLimits);
        FilesPolicy.Check(request, config.RequestLimits);

        var profile = catalog.Get(request.Profile);
        CommandPolicy.Check(request.Command, profile.DeniedCommands, profile.Name);

        var network = request.Network ?? profile.Network;
        if (!profile.AllowedNetworks.Contains(network))
        {
            throw new PolicyRefusal("network-denied",
                $"profile '{profile.Name}' does not allow network '{NetworkModeText.Format(network)}' " +
                $"(allowed: {string.Join(", ", profile.AllowedNetworks.Select(NetworkModeText.Format))}): drop --network, or use a profile that allows it");
        }

        return new ApprovedRun(request, profile, Tighten(profile, request), network);
    }

    private static void CheckCommand(RunRequest request, RequestSizeLimits limits)
    {
        if (request.Command.IsDefaultOrEmpty || request.Command[0].Length == 0)
        {
            throw new PolicyRefusal("command-missing", "no command given: put the program and its arguments after --, e.g. aisbx run -- python3 -c 'print(1)'");
        }

        long bytes = 0;
        foreach (var argument in request.Command)
        {
            if (argument.Contains('\0', StringComparison.Ordinal))
            {
                throw new PolicyRefusal("argument-invalid", "an argument contains a NUL byte, which no program can receive: remove it");
            }

            bytes += Encoding.UTF8.GetByteCount(argument) + 1;
        }

        if (bytes > limits.MaxArgumentBytes)
        {
            throw new PolicyRefusal("argument-size",
                $"the command and its arguments take {bytes} bytes, over the limit of {limits.MaxArgumentBytes}: pass large data through a file in the workdir or stdin");
        }
    }

    private static void CheckEnv(RunRequest request, RequestSizeLimits limits)
    {
        long bytes = 0;
        foreach (var (name, value) in request.Env)
        {
            if (!IsValidEnvName(name))
            {
                throw new PolicyRefusal("env-invalid",
                    $"environment variable name '{name}' is not valid: use letters, digits and _, not starting with a digit");
            }

            if (value.Contains('\0', StringComparison.Ordinal))
            {
                throw new PolicyRefusal("env-invalid", $"environment variable {name} contains a NUL byte: remove it");
            }

            bytes += Encoding.UTF8.GetByteCount(name) + Encoding.UTF8.GetByteCount(value) + 2;
        }

        if (bytes > limits.MaxEnvBytes)
        {
            throw new PolicyRefusal("env-size",
                $"the environment variables take {bytes} bytes, over the limit of {limits.MaxEnvBytes}: pass large data through a file in the workdir or stdin");
        }
    }

    public static bool IsValidEnvName(string name) =>
        name.Length is > 0 and <= 256
        && (char.IsAsciiLetter(name[0]) || name[0] == '_')
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    private static ResourceLimits Tighten(Profile profile, RunRequest request)
    {
        var limits = profile.Limits;
        return limits with
        {
            WallTime = Lower("timeout", request.WallTime, limits.WallTime, DurationText.Format, profile.Name),
            CpuTime = Lower("cpu-time", request.CpuTime, limits.CpuTime, DurationText.Format, profile.Name),
            MemoryBytes = Lower("memory", request.MemoryBytes, limits.MemoryBytes, ByteSize.Format, profile.Name),
            Pids = Lower("pids", request.Pids, limits.Pids, p => p.ToString(System.Globalization.CultureInfo.InvariantCulture), profile.Name),
        };
    }

    private static T Lower<T>(string option, T? requested, T allowed, Func<T, string> format, string profileName)
        where T : struct, IComparable<T>
    {
        if (requested is not { } value)
        {
            return allowed;
        }

        return value.CompareTo(allowed) <= 0
            ? value
            : throw new PolicyRefusal("limit-above-profile",
                $"--{option} {format(value)} is above what profile '{profileName}' allows ({format(allowed)}): ask for at most {format(allowed)}, or use a profile that allows more");
    }
}
