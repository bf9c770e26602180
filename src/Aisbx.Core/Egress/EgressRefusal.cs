namespace Aisbx.Core.Egress;

/// <summary>Why the proxy refuses a connection: <see cref="Rule"/> names the rule, the one-line message the fix.</summary>
/// <param name="Rule"><c>host-denied</c>, <c>port-not-allowed</c> or <c>host-not-allowed</c>.</param>
public sealed record EgressRefusal(string Rule, string Message)
{
    public const string HostDenied = "host-denied";
    public const string PortNotAllowed = "port-not-allowed";
    public const string HostNotAllowed = "host-not-allowed";
}
