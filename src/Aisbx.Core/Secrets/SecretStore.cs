using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Aisbx.Core.Secrets;

/// <summary>One encrypted value: AES-256-GCM with a fresh 96-bit nonce, the secret's name as associated data.</summary>
public sealed record SealedValue(string Nonce, string Ciphertext, string Tag);

/// <summary>The file: the key derivation's parameters, a sealed check value, and the sealed secrets by name.</summary>
public sealed record SecretFile(int Version, string Kdf, int Iterations, string Salt, SealedValue Check, SortedDictionary<string, SealedValue> Secrets);

/// <summary>
/// Secrets in <c>&lt;config&gt;/secrets.json</c>, encrypted with AES-256-GCM under a key derived from the master
/// passphrase by PBKDF2-HMAC-SHA256 (600,000 iterations, random 16-byte salt). A sealed check value tells a wrong
/// passphrase from a damaged file; each secret is bound to its name, so entries cannot be swapped. Writes go to a
/// temporary file that is fsync'd and renamed over the old one, so a crash leaves the old store or the new.
/// </summary>
public sealed class SecretStore
{
    public const int Iterations = 600_000;
    private const string CheckText = "aisbx-secrets-check";

    private readonly string _path;
    private readonly byte[] _key;
    private readonly SecretFile _file;

    private SecretStore(string path, byte[] key, SecretFile file)
    {
        _path = path;
        _key = key;
        _file = file;
    }

    /// <summary>Opens the store with the passphrase, creating it (with a new salt) when there is none.</summary>
    /// <exception cref="SecretStoreException">A wrong passphrase, or a file that was altered or is not a store.</exception>
    public static SecretStore Open(string path, string passphrase)
    {
        if (!File.Exists(path))
        {
            var salt = RandomNumberGenerator.GetBytes(16);
            var key = Derive(passphrase, salt, Iterations);
            var file = new SecretFile(1, "pbkdf2-sha256", Iterations, Convert.ToBase64String(salt), Seal(key, "", CheckText), []);
            return new SecretStore(path, key, file);
        }

        SecretFile? existing;
        try
        {
            existing = JsonSerializer.Deserialize(File.ReadAllText(path), SecretsJsonContext.Default.SecretFile);
        }
        catch (JsonException)
        {
            existing = null;
        }

        if (existing is null || existing.Kdf != "pbkdf2-sha256" || existing.Iterations < Iterations || existing.Secrets is null)
        {
            throw new SecretStoreException($"{path} is not a secrets store aisbx wrote (or it was altered): restore it from a backup, or move it away to start a new one");
        }

        var derived = Derive(passphrase, Convert.FromBase64String(existing.Salt), existing.Iterations);
        if (TryUnseal(derived, "", existing.Check) != CheckText)
        {
            throw new SecretStoreException("the master passphrase is wrong, or the secrets file was altered: check AISBX_MASTER_PASSWORD (or the key file)");
        }

        return new SecretStore(path, derived, existing);
    }

    public IReadOnlyList<string> Names => [.. _file.Secrets.Keys];

    /// <exception cref="SecretStoreException">No such secret, or its entry was altered.</exception>
    public string Get(string name)
    {
        if (!_file.Secrets.TryGetValue(name, out var sealedValue))
        {
            throw new SecretStoreException($"no secret named '{name}': see 'aisbx secrets list', or set it with 'aisbx secrets set {name}'");
        }

        return TryUnseal(_key, name, sealedValue)
            ?? throw new SecretStoreException($"secret '{name}' was altered in the secrets file: set it again with 'aisbx secrets set {name}'");
    }

    public void Set(string name, string value)
    {
        if (!IsValidName(name))
        {
            throw new SecretStoreException($"secret name '{name}' is not usable: it becomes an environment variable, so use letters, digits and '_', not starting with a digit");
        }

        _file.Secrets[name] = Seal(_key, name, value);
        Save();
    }

    public bool Remove(string name)
    {
        var removed = _file.Secrets.Remove(name);
        if (removed)
        {
            Save();
        }

        return removed;
    }

    /// <summary>Re-encrypts every secret under a new passphrase and a new salt.</summary>
    public SecretStore Rekey(string newPassphrase)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        var key = Derive(newPassphrase, salt, Iterations);
        var secrets = new SortedDictionary<string, SealedValue>(StringComparer.Ordinal);
        foreach (var name in Names)
        {
            secrets[name] = Seal(key, name, Get(name));
        }

        var store = new SecretStore(_path, key, new SecretFile(1, "pbkdf2-sha256", Iterations, Convert.ToBase64String(salt), Seal(key, "", CheckText), secrets));
        store.Save();
        return store;
    }

    public static bool IsValidName(string name) =>
        name.Length is > 0 and <= 128 && !char.IsAsciiDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    private void Save()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        var temporary = _path + "." + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write))
        {
            File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            stream.Write(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(_file, SecretsJsonContext.Default.SecretFile)));
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, _path, overwrite: true);
    }

    private static byte[] Derive(string passphrase, byte[] salt, int iterations) =>
        Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(passphrase), salt, iterations, HashAlgorithmName.SHA256, 32);

    private static SealedValue Seal(byte[] key, string name, string value)
    {
        var nonce = RandomNumberGenerator.GetBytes(AesGcm.NonceByteSizes.MaxSize);
        var plaintext = Encoding.UTF8.GetBytes(value);
        var ciphertext = new byte[plaintext.Length];
        var tag = new byte[AesGcm.TagByteSizes.MaxSize];
        using var aes = new AesGcm(key, tag.Length);
        aes.Encrypt(nonce, plaintext, ciphertext, tag, Encoding.UTF8.GetBytes(name));
        return new SealedValue(Convert.ToBase64String(nonce), Convert.ToBase64String(ciphertext), Convert.ToBase64String(tag));
    }

    private static string? TryUnseal(byte[] key, string name, SealedValue sealedValue)
    {
        try
        {
            var ciphertext = Convert.FromBase64String(sealedValue.Ciphertext);
            var tag = Convert.FromBase64String(sealedValue.Tag);
            var plaintext = new byte[ciphertext.Length];
            using var aes = new AesGcm(key, tag.Length);
            aes.Decrypt(Convert.FromBase64String(sealedValue.Nonce), ciphertext, tag, plaintext, Encoding.UTF8.GetBytes(name));
            return Encoding.UTF8.GetString(plaintext);
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException or ArgumentException)
        {
            return null;
        }
    }
}

/// <summary>The store cannot be opened or read as asked; the message says why and what to do, never a value.</summary>
public sealed class SecretStoreException(string message) : AisbxException(message);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(SecretFile))]
internal sealed partial class SecretsJsonContext : JsonSerializerContext;
