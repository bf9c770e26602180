namespace Aisbx.Mcp.Tests;

/// <summary>The tools aisbx-mcp serves, in the order tools/list gives them.</summary>
public static class McpTools
{
    public static IReadOnlyList<string> OneShot { get; } = ["aisbx-run", "aisbx-build", "aisbx-profile-list"];

    public static IReadOnlyList<string> Sandbox { get; } =
    [
        "aisbx-sandbox-create", "aisbx-sandbox-exec", "aisbx-file-write", "aisbx-file-read", "aisbx-file-list",
        "aisbx-sandbox-list", "aisbx-sandbox-close", "aisbx-process-read", "aisbx-process-write", "aisbx-process-signal",
    ];

    public static IReadOnlyList<string> All { get; } = [.. OneShot, .. Sandbox];
}
