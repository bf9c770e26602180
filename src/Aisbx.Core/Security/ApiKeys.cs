using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Aisbx.Core.Security;

/// <summary>One API key as stored: its name, scopes and lifetime, and the SHA-256 of the key (never the key).</summary>
public sealed record ApiKeyRecord(string Name, string Hash, IReadOnlyList<string> Scopes, DateTimeOffset Created, DateTimeOffset? Expires, DateTimeOffset? Revoked)
{
    public bool Allows(string scope) => Scopes.Contains(scope) || Scopes.Contains("*");
}

/// <summary>Why a presented key was not accepted.</summary>
public enum KeyRejection
{
    Missing,
    Unknown,
    Revoked,
    Expired,
}

/// <summary>
/// The API keys of <c>&lt;config&gt;/keys.json</c>. A key is 32 random bytes (<c>aisbx_</c> + base64url), shown once
/// at creation; only its SHA-256 is kept (a key has full entropy, so a fast hash is enough). Checking a presented
/// key compares its hash with every stored one in constant time, so timing tells nothing about any of them.
/// </summary>
public sealed class ApiKeys(string path, TimeProvider clock)
{
    public const string Prefix = "aisbx_";

    /// <summary>What a key may do when <c>--scope</c> is not given.</summary>
    public static readonly IReadOnlyList<string> DefaultScopes = ["run", "build", "read", "metrics"];

    public static readonly IReadOnlySet<string> KnownScopes = new HashSet<string>(["run", "build", "read", "metrics", "*"]);

    private KeyFileSnapshot? _seen;

    /// <summary>
    /// The keys as the file holds them now. A server asks on every request, so that a key created or revoked takes
    /// effect at once: the file is read again only when its modification time or length changed (each write
    /// replaces it), and a missing file is no exception thrown per request.
    /// </summary>
    public IReadOnlyList<ApiKeyRecord> List()
    {
        var file = new FileInfo(path);
        if (!file.Exists)
        {
            return [];
        }

        var (modified, length) = (file.LastWriteTimeUtc.Ticks, file.Length);
        if (Volatile.Read(ref _seen) is { } seen && seen.Modified == modified && seen.Length == length)
        {
            return seen.Keys;
        }

        // A write between the stat and the read leaves a snapshot whose stat no longer matches: the next call reads again.
        var keys = Read();
        Volatile.Write(ref _seen, new KeyFileSnapshot(modified, length, keys));
        return keys;
    }

    public bool Any() => AnyLive(List());

    /// <summary>Whether any of these keys is live (not revoked): once one is, every request needs a key.</summary>
    public static bool AnyLive(IReadOnlyList<ApiKeyRecord> keys) => keys.Any(k => k.Revoked is null);

    /// <returns>The new key, to be shown once, and its record.</returns>
    /// <exception cref="ConfigurationException">The name is taken or malformed, or a scope is unknown.</exception>
    public (string Key, ApiKeyRecord Record) Create(string name, TimeSpan? lifetime, IReadOnlyList<string>? scopes)
    {
        if (name.Length is 0 or > 64 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            throw new ConfigurationException($"key name '{name}' is not usable: use 1-64 letters, digits, '-', '_' or '.'");
        }

        scopes ??= DefaultScopes;
        foreach (var scope in scopes)
        {
            if (!KnownScopes.Contains(scope) && !scope.StartsWith("secret:", StringComparison.Ordinal))
            {
                throw new ConfigurationException($"scope '{scope}' is not one aisbx knows: use run, build, read, metrics, secret:NAME or *");
            }
        }

        var keys = Read();
        if (keys.Any(k => k.Name == name && k.Revoked is null))
        {
            throw new ConfigurationException($"a key named '{name}' exists: revoke it first ('aisbx keys revoke {name}'), or pick another name");
        }

        var key = Prefix + Base64Url(RandomNumberGenerator.GetBytes(32));
        var now = clock.GetUtcNow();
        var record = new ApiKeyRecord(name, Hash(key), [.. scopes.Distinct(StringComparer.Ordinal)], now, lifetime is null ? null : now + lifetime, null);
        Write([.. keys.Where(k => k.Name != name), record]);
        return (key, record);
    }

    /// <exception cref="ConfigurationException">No live key has that name.</exception>
    public ApiKeyRecord Revoke(string name)
    {
        var keys = Read();
        var record = keys.FirstOrDefault(k => k.Name == name && k.Revoked is null)
            ?? throw new ConfigurationException($"no live key named '{name}': see 'aisbx keys list'");
        var revoked = record with { Revoked = clock.GetUtcNow() };
        Write([.. keys.Select(k => k == record ? revoked : k)]);
        return revoked;
    }

    /// <summary>The record of a presented key, or why there is none.</summary>
    public (ApiKeyRecord? Record, KeyRejection? Rejection) Authenticate(string? presented) => Authenticate(presented, List());

    /// <summary>The same, against keys already read (one read of the key file per request).</summary>
    public (ApiKeyRecord? Record, KeyRejection? Rejection) Authenticate(string? presented, IReadOnlyList<ApiKeyRecord> keys)
    {
        if (string.IsNullOrEmpty(presented))
        {
            return (null, KeyRejection.Missing);
        }

        var hash = Convert.FromHexString(Hash(presented));
        ApiKeyRecord? match = null;
        foreach (var record in keys)
        {
            // Every record is compared, and in constant time: no early exit tells how close a guess came.
            if (CryptographicOperations.FixedTimeEquals(hash, Convert.FromHexString(record.Hash)))
            {
                match = record;
            }
        }

        return match switch
        {
            null => (null, KeyRejection.Unknown),
            { Revoked: not null } => (null, KeyRejection.Revoked),
            { Expires: { } expires } when expires <= clock.GetUtcNow() => (null, KeyRejection.Expired),
            _ => (match, null),
        };
    }

    private static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private List<ApiKeyRecord> Read()
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(path), KeysJsonContext.Default.ListApiKeyRecord) ?? [];
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return [];
        }
        catch (JsonException)
        {
            throw new ConfigurationException($"{path} is not a key file aisbx wrote: restore it, or move it away and create the keys again");
        }
    }

    private void Write(List<ApiKeyRecord> keys)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = path + "." + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(keys, KeysJsonContext.Default.ListApiKeyRecord));
        File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(temporary, path, overwrite: true);
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(List<ApiKeyRecord>))]
internal sealed partial class KeysJsonContext : JsonSerializerContext;

internal sealed record KeyFileSnapshot(long Modified, long Length, IReadOnlyList<ApiKeyRecord> Keys);
