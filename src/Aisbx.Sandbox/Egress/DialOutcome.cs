using System.Net;
using System.Net.Sockets;

namespace Aisbx.Sandbox.Egress;

/// <summary>
/// What came of asking for HOST:PORT: a connected upstream socket (the caller owns it), a refusal (rule and
/// message), or a network failure (its kind, and whether it was a timeout).
/// </summary>
internal readonly record struct DialOutcome(Socket? Upstream, IPEndPoint? Endpoint, string? Rule, string? Message, bool IsFailure, bool TimedOut)
{
    public bool IsRefusal => Upstream is null && !IsFailure;

    public static DialOutcome Connected(Socket upstream, IPEndPoint endpoint) => new(upstream, endpoint, null, null, false, false);

    public static DialOutcome Refused(string rule, string message, IPEndPoint? endpoint = null) => new(null, endpoint, rule, message, false, false);

    public static DialOutcome Failed(string kind, string message, bool timedOut = false, IPEndPoint? endpoint = null) =>
        new(null, endpoint, kind, message, true, timedOut);
}
