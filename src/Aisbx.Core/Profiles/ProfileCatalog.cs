using System.Collections.Concurrent;
using System.Reflection;
using System.Text.RegularExpressions;
using Aisbx.Core.Policy;

namespace Aisbx.Core.Profiles;

/// <summary>
/// The built-in profiles, shipped as TOML data files, plus the user's <c>&lt;config&gt;/profiles/*.toml</c>, which add
/// profiles or override built-ins of the same name. Profiles are parsed on first use, so a run reads only its own.
/// </summary>
public sealed partial class ProfileCatalog
{
    private const string ResourcePrefix = "Aisbx.Profiles.";
    private const string FileExtension = ".toml";

    private readonly string? _userDirectory;
    private readonly ConcurrentDictionary<string, Profile> _loaded = new(StringComparer.Ordinal);

    public ProfileCatalog(string? userDirectory) => _userDirectory = userDirectory;

    public static IReadOnlyList<string> BuiltInNames { get; } =
    [
        .. typeof(ProfileCatalog).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal) && n.EndsWith(FileExtension, StringComparison.Ordinal))
            .Select(n => n[ResourcePrefix.Length..^FileExtension.Length])
            .Order(StringComparer.Ordinal),
    ];

    /// <summary>Every profile name, built-in and user, sorted.</summary>
    public IReadOnlyList<string> Names()
    {
        var names = new SortedSet<string>(BuiltInNames, StringComparer.Ordinal);
        if (_userDirectory is not null && Directory.Exists(_userDirectory))
        {
            foreach (var file in Directory.EnumerateFiles(_userDirectory, "*" + FileExtension))
            {
                var name = Path.GetFileNameWithoutExtension(file);
                if (IsValidName(name))
                {
                    names.Add(name);
                }
            }
        }

        return [.. names];
    }

    public IReadOnlyList<Profile> All() => [.. Names().Select(Get)];

    /// <summary>This catalog with <paramref name="profile"/> in place of the profile of its name (<c>doctor</c> probes with the host rootfs).</summary>
    public ProfileCatalog With(Profile profile)
    {
        var catalog = new ProfileCatalog(_userDirectory);
        catalog._loaded[profile.Name] = profile;
        return catalog;
    }

    /// <summary>The named profile, or a refusal that lists the profiles that exist.</summary>
    public Profile Get(string name)
    {
        if (_loaded.TryGetValue(name, out var profile))
        {
            return profile;
        }

        profile = Load(name, [])
            ?? throw new PolicyRefusal("profile-unknown",
                $"no profile named '{Shorten(name)}'; available: {string.Join(", ", Names())}. " +
                $"Pick one of them, or define it in {UserFileHint(name)}");
        return _loaded.GetOrAdd(name, profile);
    }

    public static bool IsValidName(string name) => ProfileNamePattern().IsMatch(name);

    private Profile? Load(string name, List<string> chain)
    {
        if (!IsValidName(name))
        {
            return null;
        }

        // A user file that extends its own name builds on the built-in of that name.
        var userFile = _userDirectory is null ? null : Path.Combine(_userDirectory, name + FileExtension);
        var useUserFile = userFile is not null && File.Exists(userFile) && !chain.Contains(userFile);
        var origin = useUserFile ? userFile! : "built-in";
        var text = useUserFile ? File.ReadAllText(userFile!) : ReadBuiltIn(name);
        var key = useUserFile ? userFile! : "built-in:" + name;
        if (text is null && userFile is not null && chain.Contains(userFile))
        {
            throw new ConfigurationException($"profile '{name}' extends itself through {string.Join(" -> ", chain)}; break the cycle");
        }

        if (text is null)
        {
            return null;
        }

        if (chain.Contains(key) || chain.Count > 8)
        {
            throw new ConfigurationException($"profile '{name}' extends itself through {string.Join(" -> ", chain)}; break the cycle");
        }

        chain.Add(key);
        Profile? baseProfile = null;
        if (ProfileParser.ReadExtends(text, origin) is { } baseName)
        {
            baseProfile = Load(baseName, chain)
                ?? throw new ConfigurationException($"profile '{name}' ({origin}) extends '{baseName}', which does not exist; available: {string.Join(", ", Names())}");
        }

        return ProfileParser.Parse(name, text, origin, baseProfile);
    }

    private static string? ReadBuiltIn(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(ResourcePrefix + name + FileExtension);
        if (stream is null)
        {
            return null;
        }

        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private string UserFileHint(string name) =>
        _userDirectory is null ? "a profiles directory" : Path.Combine(_userDirectory, (IsValidName(name) ? name : "NAME") + FileExtension);

    private static string Shorten(string name) => name.Length <= 64 ? name : name[..64] + "…";

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,63}$")]
    private static partial Regex ProfileNamePattern();
}
