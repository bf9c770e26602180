namespace Aisbx.Service;

/// <summary>The rules of refusals that the service itself makes; the policy's own rules (e.g. <c>workdir-system</c>) come with their refusals.</summary>
public static class ServiceRules
{
    /// <summary>The caller's key lacks the scope the call needs (403 over REST).</summary>
    public const string Scope = "scope";

    /// <summary>A missing, unknown or mistyped argument.</summary>
    public const string Arguments = "arguments";

    /// <summary>Over a concurrency cap: retry later (429 over REST).</summary>
    public const string Busy = "busy";

    /// <summary>The call failed inside aisbx (a profile that cannot be read, a host fault), not for what the caller sent.</summary>
    public const string Error = "error";
}
