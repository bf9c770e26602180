using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Aisbx.Mcp.Tests;

/// <summary>In-process servers run the engine in the test process: point it at the launcher ./test.sh published.</summary>
internal static class TestLauncher
{
    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255", Justification = "The launcher path must be set before any server builds a plan.")]
    internal static void PointAtBuiltLauncher() =>
        Environment.SetEnvironmentVariable("AISBX_LAUNCHER", Path.Combine(Repository.Root, ".build", "aisbx", "aisbx-launch"));
}
