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
    private const string LargeDataFix = "pass large data through a file in the workdir or stdin";

    public static ApprovedRun Approve(RunRequest request, ProfileCatalog catalog, AisbxConfig config)
    {
        var argvBytes = CheckCommand(request, config.RequestLimits);
        var envBytes = CheckEnv(request, config.RequestLimits);
        CheckExecBudget(argvBytes + envBytes);
        FilesPolicy.Check(request, config.RequestLimits);

        var profile = catalog.Get(request.Profile);
        CommandPolicy.Check(request.Command, profile.DeniedCommands, profile.Name);

        var (network, egress) = EgressApproval.Approve(request, profile, config.Egress);
        return new ApprovedRun(request, profile, Tighten(profile, request), network, egress);
    }

    /// <summary>Whether a command passes the argument rules: each argument within Linux's limit, all within the configured one.</summary>
    public static bool ArgumentsFit(IReadOnlyList<string> command, RequestSizeLimits limits)
    {
        long bytes = 0;
        foreach (var argument in command)
        {
            var size = Encoding.UTF8.GetByteCount(argument) + 1;
            if (size > ExecLimits.MaxStringBytes)
            {
                return false;
            }

            bytes += size;
        }

        return bytes <= limits.MaxArgumentBytes && bytes + command.Count * IntPtr.Size <= ExecLimits.RequestBudgetBytes;
    }

    /// <returns>What the arguments cost an exec.</returns>
    private static long CheckCommand(RunRequest request, RequestSizeLimits limits)
    {
        if (request.Command.IsDefaultOrEmpty || request.Command[0].Length == 0)
        {
            throw new PolicyRefusal("command-missing", RequestField.Command, words => $"no command given: {words.HowToGiveCommand}");
        }

        long bytes = 0;
        long execBytes = 0;
        for (var i = 0; i < request.Command.Length; i++)
        {
            var argument = request.Command[i];
            var item = i + 1;
            if (argument.Contains('\0', StringComparison.Ordinal))
            {
                throw new PolicyRefusal("argument-invalid", RequestField.Command, words =>
                    $"item {item} of {words.Name(RequestField.Command)} contains a NUL byte, which no program can receive: remove it");
            }

            var size = Encoding.UTF8.GetByteCount(argument);
            if (size + 1 > ExecLimits.MaxStringBytes)
            {
                throw new PolicyRefusal("argument-length", RequestField.Command, words =>
                    $"item {item} of {words.Name(RequestField.Command)} takes {size + 1} bytes, over the {ExecLimits.MaxStringBytes} " +
                    $"that Linux passes in one argument: {LargeDataFix}");
            }

            bytes += size + 1;
            execBytes += ExecLimits.Cost(size);
        }

        if (bytes > limits.MaxArgumentBytes)
        {
            throw new PolicyRefusal("argument-size", RequestField.Command, words =>
                $"{words.Name(RequestField.Command)} and its arguments take {bytes} bytes, over the limit of {limits.MaxArgumentBytes}: {LargeDataFix}");
        }

        return execBytes;
    }

    /// <returns>What the variables cost an exec.</returns>
    private static long CheckEnv(RunRequest request, RequestSizeLimits limits)
    {
        long bytes = 0;
        long execBytes = 0;
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

            var size = Encoding.UTF8.GetByteCount(name) + 1 + Encoding.UTF8.GetByteCount(value);
            if (size + 1 > ExecLimits.MaxStringBytes)
            {
                throw new PolicyRefusal("env-length",
                    $"environment variable {name} takes {size + 1} bytes, over the {ExecLimits.MaxStringBytes} that Linux passes in one variable: {LargeDataFix}");
            }

            bytes += size + 1;
            execBytes += ExecLimits.Cost(size);
        }

        if (bytes > limits.MaxEnvBytes)
        {
            throw new PolicyRefusal("env-size",
                $"the environment variables take {bytes} bytes, over the limit of {limits.MaxEnvBytes}: {LargeDataFix}");
        }

        return execBytes;
    }

    /// <summary>
    /// Whatever the configured caps allow, one program start carries the arguments and the environment together,
    /// beside what aisbx adds; past the kernel's limit it fails with E2BIG.
    /// </summary>
    private static void CheckExecBudget(long execBytes)
    {
        if (execBytes > ExecLimits.RequestBudgetBytes)
        {
            throw new PolicyRefusal("exec-size", RequestField.Command, words =>
                $"{words.Name(RequestField.Command)} and the environment take {execBytes} bytes, over the {ExecLimits.RequestBudgetBytes} " +
                $"that one program start on Linux can carry beside the sandbox's own: {LargeDataFix}");
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
            WallTime = Lower(RequestField.Timeout, request.WallTime, limits.WallTime, DurationText.Format, profile.Name),
            CpuTime = Lower(RequestField.CpuTime, request.CpuTime, limits.CpuTime, DurationText.Format, profile.Name),
            MemoryBytes = Lower(RequestField.Memory, request.MemoryBytes, limits.MemoryBytes, ByteSize.Format, profile.Name),
            Pids = Lower(RequestField.Pids, request.Pids, limits.Pids, p => p.ToString(System.Globalization.CultureInfo.InvariantCulture), profile.Name),
        };
    }

    private static T Lower<T>(RequestField field, T? requested, T allowed, Func<T, string> format, string profileName)
        where T : struct, IComparable<T>
    {
        if (requested is not { } value)
        {
            return allowed;
        }

        return value.CompareTo(allowed) <= 0
            ? value
            : throw new PolicyRefusal("limit-above-profile", field, words =>
                $"{words.Name(field)} {format(value)} is above what profile '{profileName}' allows ({format(allowed)}): ask for at most {format(allowed)}, or use a profile that allows more");
    }
}
