namespace Aisbx.Service.Sandboxes;

/// <summary>
/// Who owns a live sandbox: an API key, by its name. Without keys (stdio, where the one client is the owner, or an
/// open loopback server, where every local caller is one and the same) there is one owner, <c>open</c>: the MCP
/// session is not the owner, so that a handle works alike over stdio, stateful and stateless HTTP.
/// </summary>
public static class SandboxOwner
{
    public const string Open = "open";

    public static string Of(CallerIdentity caller) => caller.IsKey ? caller.Name : Open;
}
