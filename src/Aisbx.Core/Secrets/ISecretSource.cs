using Aisbx.Core.Configuration;

namespace Aisbx.Core.Secrets;

/// <summary>Where a run's named secrets come from.</summary>
public interface ISecretSource
{
    /// <exception cref="SecretStoreException">No such secret, or the store cannot be opened.</exception>
    string Reveal(string name);
}

/// <summary>The config directory's store, opened (and its key derived, which takes a moment) at the first secret asked for.</summary>
public sealed class ConfigSecretSource(AisbxConfig config) : ISecretSource
{
    private readonly Lazy<SecretStore> _store = new(() => SecretStore.Open(config.SecretsFile, MasterPassphrase.Get(config)));

    public string Reveal(string name) => _store.Value.Get(name);
}
