namespace Aisbx.Sandbox.Egress;

/// <summary>The two protocols a sandbox's program may speak to its proxy.</summary>
internal enum EgressProtocol { Http, Socks5 }

/// <summary>One sandbox's egress: its policy, its guard, its resolver and its caps.</summary>
internal sealed record EgressOptions
{
    /// <summary>The policy by name and port: null when allowed, else (rule, one-line message).</summary>
    public required Func<string, int, (string Rule, string Message)?> Decide { get; init; }

    public required AddressGuard Guard { get; init; }

    public required IEgressResolver Resolver { get; init; }

    /// <summary>Connections accepted over the sandbox's life; the next one is refused (rule <c>egress-connections</c>).</summary>
    public int MaxConnections { get; init; } = 1024;

    /// <summary>Bytes relayed, both directions together; at the cap every open connection is cut (rule <c>egress-bytes</c>).</summary>
    public long MaxBytes { get; init; } = 4L << 30;

    /// <summary>Resolving the name and connecting to one of its addresses, together.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>From accept to the end of the request's head (HTTP) or of the SOCKS5 request.</summary>
    public TimeSpan HeadTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Connections served at once; the next waits in the listener's backlog until one ends. Each holds at most two
    /// relay buffers, so this bounds the proxy's memory.
    /// </summary>
    public int MaxConcurrent { get; init; } = 64;

    /// <summary>
    /// The relay moves bytes with splice(2) through a pipe (no copy through user space); false copies them through
    /// pooled buffers. Both are tested; the benchmark measures both.
    /// </summary>
    public bool Splice { get; init; } = true;

    /// <summary>Called once per connection: when refused, or when it ends. Exceptions it throws are swallowed.</summary>
    public Action<EgressConnection>? OnConnection { get; init; }
}
