using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Aisbx.Sandbox.Tests;

/// <summary>
/// The engine runs in the test process (not beside the published aisbx), so it is pointed at the launcher that
/// <c>./test.sh</c> publishes into the build directory, before any test asks for it.
/// </summary>
internal static class TestLauncher
{
    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255", Justification = "The launcher path must be set before any test builds a plan.")]
    internal static void PointAtBuiltLauncher()
    {
        var path = Environment.GetEnvironmentVariable("AISBX_LAUNCHER_BIN") is { Length: > 0 } fromEnv
            ? fromEnv
            : Path.Combine(RepositoryRoot(), ".build", "aisbx", "aisbx-launch");
        Environment.SetEnvironmentVariable("AISBX_LAUNCHER", path);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Aisbx.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("the tests do not run from an aisbx checkout");
    }
}
