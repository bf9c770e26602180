using Aisbx.Core.Configuration;
using Aisbx.Core.Profiles;
using Aisbx.Sandbox.Rootfs;
using Aisbx.Tests.Shared;

namespace Aisbx.Sandbox.Tests.Rootfs;

/// <summary>
/// A store of its own (so that these specs see every state: missing, built, stale, swapped, pruned) with the
/// suite's shared apt cache (so that a build downloads nothing twice), and small profiles built with real mmdebstrap.
/// </summary>
public sealed class TreeStoreFixture : IDisposable
{
    public TreeStoreFixture()
    {
        Directory.CreateDirectory(Path.Combine(ConfigDirectory, "profiles"));
        File.WriteAllText(Path.Combine(ConfigDirectory, "config.toml"), $"[rootfs]\nstore = \"{Store}\"\ncache = \"{TestTrees.Cache}\"\n");
        WriteProfile("hello", "[rootfs]\npackages = [\"hello\"]\n");
        WriteProfile("hello-again", "[rootfs]\npackages = [\"hello\", \"hello\"]\n");
        WriteProfile("never-built", "[rootfs]\npackages = [\"sl\"]\n");
        WriteProfile("on-host", "rootfs = \"host\"\n");
        Config = AisbxConfigLoader.Load(ConfigDirectory);
        Profiles = new ProfileCatalog(Config.ProfilesDirectory);
        Runner = new SandboxRunner(Config, Profiles);
        Builder = new RootfsBuilder(Config);
    }

    public string Root { get; } = Directory.CreateTempSubdirectory("aisbx-tree-tests-").FullName;

    public string ConfigDirectory => Path.Combine(Root, "config");

    public string Store => Path.Combine(Root, "rootfs");

    public AisbxConfig Config { get; private set; }

    public ProfileCatalog Profiles { get; private set; }

    public SandboxRunner Runner { get; private set; }

    public RootfsBuilder Builder { get; }

    public void WriteProfile(string name, string body) =>
        File.WriteAllText(Path.Combine(ConfigDirectory, "profiles", name + ".toml"), $"extends = \"minimal\"\ndescription = \"{name}\"\n{body}");

    /// <summary>Rereads the profiles after a spec changed one (a catalog reads each file once).</summary>
    public void Reload()
    {
        Profiles = new ProfileCatalog(Config.ProfilesDirectory);
        Runner = new SandboxRunner(Config, Profiles);
    }

    public string[] StoreEntries() => Directory.Exists(Store) ? [.. Directory.GetFileSystemEntries(Store).Select(Path.GetFileName).Order()!] : [];

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

[CollectionDefinition(nameof(BuiltTrees))]
public sealed class BuiltTrees : ICollectionFixture<TreeStoreFixture>;
