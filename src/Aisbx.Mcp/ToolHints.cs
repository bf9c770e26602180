namespace Aisbx.Mcp;

/// <summary>
/// A tool's MCP annotations: what a client may assume about calling it (and, say, whether to ask the user first).
/// </summary>
/// <param name="ReadOnly">It changes nothing outside itself.</param>
/// <param name="Destructive">It may delete or overwrite what exists (meaningful when not read-only).</param>
/// <param name="Idempotent">Calling it again with the same arguments has no further effect.</param>
/// <param name="OpenWorld">It may reach things outside the server's own domain, such as the internet.</param>
public sealed record ToolHints(bool ReadOnly, bool Destructive, bool Idempotent, bool OpenWorld);
