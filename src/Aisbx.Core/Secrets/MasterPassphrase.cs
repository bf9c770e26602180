using Aisbx.Core.Configuration;

namespace Aisbx.Core.Secrets;

/// <summary>Where the master passphrase comes from: <c>AISBX_MASTER_PASSWORD</c>, else the key file named in config.</summary>
public static class MasterPassphrase
{
    public const string Variable = "AISBX_MASTER_PASSWORD";

    /// <exception cref="SecretStoreException">Neither is set, or the key file cannot be read.</exception>
    public static string Get(AisbxConfig config)
    {
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } fromEnvironment)
        {
            return fromEnvironment;
        }

        if (config.SecretsKeyFile is { } keyFile)
        {
            try
            {
                var text = File.ReadAllText(keyFile).TrimEnd('\n', '\r');
                return text.Length > 0 ? text : throw new SecretStoreException($"the key file {keyFile} is empty: put the master passphrase in it");
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new SecretStoreException($"cannot read the key file {keyFile}: {ex.Message}");
            }
        }

        throw new SecretStoreException($"no master passphrase: set {Variable}, or name a key file with [secrets] key_file in config.toml");
    }
}
