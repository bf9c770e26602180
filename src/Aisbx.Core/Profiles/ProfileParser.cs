using System.Collections.Immutable;
using Aisbx.Core.Configuration;
using Aisbx.Core.Rootfs;
using Aisbx.Core.Units;

namespace Aisbx.Core.Profiles;

/// <summary>
/// Reads a profile file. A file may name a profile it <c>extends</c>: its keys then override that profile's,
/// its <c>[env]</c> adds to the base's, and its <c>[[mounts]]</c> come after the base's.
/// </summary>
public static class ProfileParser
{
    public const string ExtendsKey = "extends";

    /// <summary>The profile a file extends, if any, read without validating the rest.</summary>
    public static string? ReadExtends(string text, string where) => TomlSection.Parse(text, where).String(ExtendsKey);

    public static Profile Parse(string name, string text, string origin, Profile? baseProfile)
    {
        var where = origin == "built-in" ? $"built-in profile '{name}'" : $"profile file {origin}";
        var root = TomlSection.Parse(text, where);
        root.String(ExtendsKey);

        var profile = (baseProfile ?? new Profile { Name = name, Description = "" }) with { Name = name, Origin = origin };
        profile = profile with
        {
            Description = root.String("description") ?? profile.Description,
            Rootfs = RootfsParser.Read(root, profile.Rootfs),
            Toolchain = root.StringList("toolchain") ?? profile.Toolchain,
            DeniedCommands = root.StringList("denied_commands") ?? profile.DeniedCommands,
            InstallHint = root.String("install_hint") ?? profile.InstallHint,
        };

        if (string.IsNullOrWhiteSpace(profile.Description))
        {
            throw root.Error("'description' is missing; add a one-line description = \"...\"");
        }

        profile = NetworkParser.Read(root, profile);

        if (root.Table("env") is { } env)
        {
            profile = profile with { Env = profile.Env.SetItems(env.StringMap()) };
        }

        var mounts = profile.Mounts.ToBuilder();
        foreach (var mount in root.TableArray("mounts"))
        {
            mounts.Add(ReadMount(mount));
        }

        profile = profile with { Mounts = mounts.ToImmutable() };

        if (root.Table("seccomp") is { } seccomp)
        {
            profile = profile with
            {
                Syscalls = profile.Syscalls.Apply(
                    SyscallNames(seccomp, "deny"), SyscallNames(seccomp, "kill"), SyscallNames(seccomp, "allow"), DefaultAction(seccomp)),
            };
            seccomp.RejectUnknownKeys();
        }

        if (root.Table("limits") is { } limits)
        {
            profile = profile with { Limits = ReadLimits(limits, profile.Limits) };
        }

        root.RejectUnknownKeys();
        return profile;
    }

    private static ProfileMount ReadMount(TomlSection mount)
    {
        var source = mount.String("source") ?? throw mount.Error("'source' is missing; give the host path to mount read-only");
        var target = mount.String("target") ?? (source.StartsWith("~/", StringComparison.Ordinal) ? null : source)
            ?? throw mount.Error($"'target' is missing; a source under ~ needs a target path inside the sandbox");
        var optional = mount.Boolean("optional") ?? false;
        mount.RejectUnknownKeys();

        if (!(source.StartsWith('/') || source.StartsWith("~/", StringComparison.Ordinal)))
        {
            throw mount.Error($"source '{source}' must be an absolute path or start with ~/");
        }

        if (!target.StartsWith('/') || target.Split('/').Contains(".."))
        {
            throw mount.Error($"target '{target}' must be an absolute path without '..'");
        }

        return new ProfileMount(source, target, optional);
    }

    private static ResourceLimits ReadLimits(TomlSection section, ResourceLimits limits)
    {
        limits = limits with
        {
            WallTime = section.Duration("wall_time") ?? limits.WallTime,
            CpuTime = section.Duration("cpu_time") ?? limits.CpuTime,
            MemoryBytes = Size(section, "memory") ?? limits.MemoryBytes,
            Pids = Count(section, "pids") ?? limits.Pids,
            FileSizeBytes = Size(section, "file_size") ?? limits.FileSizeBytes,
            OpenFiles = Count(section, "open_files") ?? limits.OpenFiles,
            TmpSizeBytes = Size(section, "tmp_size") ?? limits.TmpSizeBytes,
            OutputBytes = Size(section, "output") ?? limits.OutputBytes,
            IdleTimeout = section.Duration("idle_timeout") ?? limits.IdleTimeout,
            MaxLifetime = section.Duration("max_lifetime") ?? limits.MaxLifetime,
        };
        section.RejectUnknownKeys();
        return limits;
    }

    private static SyscallAction? DefaultAction(TomlSection section) => section.String("default") switch
    {
        null => null,
        "allow" => SyscallAction.Allow,
        "deny" => SyscallAction.Deny,
        "kill" => SyscallAction.Kill,
        var other => throw section.Error($"default '{other}' is not an action; use \"allow\" (a denylist), or \"deny\" or \"kill\" (an allowlist)"),
    };

    private static ImmutableArray<string> SyscallNames(TomlSection section, string key)
    {
        var names = section.StringList(key) ?? [];
        foreach (var name in names)
        {
            if (name.Length == 0 || !name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_'))
            {
                throw section.Error($"'{name}' in {key} is not a syscall name; write it as libseccomp does, e.g. \"ptrace\"");
            }
        }

        return names;
    }

    private static long? Size(TomlSection section, string key)
    {
        var text = section.String(key);
        return text is null ? null
            : ByteSize.TryParse(text, out var value) ? value
            : throw section.Error($"{key} '{text}' is not a size; write e.g. \"512K\", \"256M\" or \"1G\"");
    }

    private static int? Count(TomlSection section, string key)
    {
        var value = section.Integer(key);
        return value is null ? null
            : value is > 0 and <= int.MaxValue ? (int)value
            : throw section.Error($"{key} = {value} must be a positive whole number");
    }
}
