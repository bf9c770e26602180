using System.Runtime.CompilerServices;

namespace Aisbx.Tests.Shared;

/// <summary>
/// One store of built trees for the whole suite (compiled into each test project): the many config directories
/// tests make share it through AISBX_ROOTFS and AISBX_CACHE, which every aisbx (in-process or a spawned binary)
/// reads. ./test.sh builds every built-in profile into it before the tests (a no-op when they are built).
/// </summary>
internal static class TestTrees
{
    public static string Root { get; } = Path.Combine(RepositoryRoot(), ".build", "test-trees");

    public static string Store => Path.Combine(Root, "rootfs");

    public static string Cache => Path.Combine(Root, "cache");

    [ModuleInitializer]
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Usage", "CA2255", Justification = "Every aisbx a test starts must see the shared store, before any test runs.")]
    internal static void UseTheSharedStore()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("AISBX_ROOTFS")))
        {
            Environment.SetEnvironmentVariable("AISBX_ROOTFS", Store);
        }

        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("AISBX_CACHE")))
        {
            Environment.SetEnvironmentVariable("AISBX_CACHE", Cache);
        }
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Aisbx.slnx")))
            {
                return directory.FullName;
            }
        }

        return Path.GetTempPath();
    }
}
