using System.Security.Claims;

namespace Aisbx.Service;

/// <summary>
/// Who calls and what they may do: an API key's name and scopes (set by the HTTP server's authentication), or,
/// where no keys are configured (stdio, or an open loopback server), an unnamed caller that may do everything.
/// Each surface names its unnamed callers: <c>mcp:SESSION</c>, <c>mcp:stdio</c>, <c>http:ADDRESS</c>.
/// </summary>
public sealed record CallerIdentity(string Name, IReadOnlySet<string>? Scopes)
{
    public const string KeyClaim = "aisbx:key";
    public const string ScopeClaim = "aisbx:scope";

    public bool IsKey => Scopes is not null;

    public bool Allows(string scope) => Scopes is null || Scopes.Contains(scope) || Scopes.Contains("*");

    public static CallerIdentity From(ClaimsPrincipal? user, string anonymousName) =>
        user?.FindFirst(KeyClaim)?.Value is { } key
            ? new CallerIdentity("key:" + key, user.FindAll(ScopeClaim).Select(c => c.Value).ToHashSet(StringComparer.Ordinal))
            : new CallerIdentity(anonymousName, null);

    public string ScopeRefusal(string scope) =>
        $"refused (scope): {Name} may not use '{scope}': ask the operator for a key with the {scope} scope ('aisbx keys create --scope ...')";
}
