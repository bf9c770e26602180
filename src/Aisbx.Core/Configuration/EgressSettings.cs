using System.Collections.Immutable;
using System.Net;
using Aisbx.Core.Egress;

namespace Aisbx.Core.Configuration;

/// <summary>
/// The egress proxy's server-wide settings (<c>[egress]</c> in config.toml): hosts granted per API key, names
/// pointed at fixed addresses, reserved ranges the operator allows, and how long a connect may take.
/// </summary>
public sealed record EgressSettings
{
    /// <summary>The prefix <see cref="Runs.RunRequest.Caller"/> gives a caller that came with an API key.</summary>
    public const string KeyCallerPrefix = "key:";

    public static EgressSettings Default { get; } = new();

    /// <summary>An API key's name → hosts added to the allow list of every allowlist run its callers make.</summary>
    public ImmutableSortedDictionary<string, ImmutableArray<HostPattern>> Grants { get; init; } =
        ImmutableSortedDictionary<string, ImmutableArray<HostPattern>>.Empty;

    /// <summary>
    /// A name → the addresses the proxy uses for it instead of resolving it (like /etc/hosts); the addresses are
    /// still checked as resolved ones are.
    /// </summary>
    public ImmutableSortedDictionary<string, ImmutableArray<IPAddress>> Hosts { get; init; } =
        ImmutableSortedDictionary<string, ImmutableArray<IPAddress>>.Empty;

    /// <summary>Reserved ranges the proxy allows all the same, e.g. a mirror on the LAN.</summary>
    public ImmutableArray<IPNetwork> Exempt { get; init; } = [];

    /// <summary>
    /// Whether a sandbox with a network (allowlist or host) in a built tree trusts the host's CA bundle instead of
    /// its tree's: behind a TLS-inspecting gateway, or with a company CA, the host's bundle is the one that works.
    /// </summary>
    public bool TrustHostCertificates { get; init; } = true;

    /// <summary>How long the proxy waits for a connection to an upstream address.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The hosts granted to <paramref name="caller"/> (<c>key:NAME</c>); none for a caller without a key.</summary>
    public ImmutableArray<HostPattern> GrantsFor(string caller) =>
        caller.StartsWith(KeyCallerPrefix, StringComparison.Ordinal) && Grants.TryGetValue(caller[KeyCallerPrefix.Length..], out var hosts)
            ? hosts
            : [];
}
