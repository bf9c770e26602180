namespace Aisbx.Sandbox.Egress;

/// <summary>
/// One connection through the proxy, as it ended. <see cref="Protocol"/> is <c>connect</c>, <c>http</c> or
/// <c>socks5</c>; <see cref="Verdict"/> is <c>allowed</c>, <c>refused</c> or <c>failed</c>. <see cref="Rule"/> is
/// the refusal's rule, the failure's kind (<c>dns</c>, <c>connect-refused</c>, <c>connect-timeout</c>, ...), or for
/// an allowed connection the cap that cut it (<c>egress-bytes</c>). <see cref="Address"/> is the address connected
/// to, or the one refused. Bytes are payload relayed: out is from the sandbox, in is toward it.
/// </summary>
internal sealed record EgressConnection(
    string Protocol, string Host, int Port, string Verdict, string? Rule, string? Address,
    long BytesOut, long BytesIn, TimeSpan Duration, DateTimeOffset Started);
