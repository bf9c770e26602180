using System.Collections.Immutable;

namespace Aisbx.Core.Runs;

/// <summary>
/// The run's network in its result document: the mode, and with an allowlist, the hosts it allowed and every
/// connection the proxy saw (the first <see cref="MaxListed"/> to end; the totals count them all).
/// </summary>
public sealed record NetworkReport(string Mode)
{
    public const int MaxListed = 200;

    public ImmutableArray<string> Allow { get; init; } = [];

    public ImmutableArray<NetworkConnection> Connections { get; init; } = [];

    /// <summary>Connections not listed because there were more than <see cref="MaxListed"/>.</summary>
    public int ConnectionsNotListed { get; init; }

    public int Refused { get; init; }

    public long BytesOut { get; init; }

    public long BytesIn { get; init; }
}

/// <summary>
/// One connection through the egress proxy: how it was asked for (<c>connect</c>, <c>http</c>, <c>socks5</c>), where
/// to, what the proxy decided (<c>allowed</c>, <c>refused</c> with the rule, or <c>failed</c>: the network's own
/// error), the address it was pinned to, and the bytes each way (out: from the sandbox).
/// </summary>
public sealed record NetworkConnection(
    string Protocol, string Host, int Port, string Verdict, string? Rule, string? Address, long BytesOut, long BytesIn, double DurationMs, DateTimeOffset Started)
{
    /// <summary><c>host:port</c>, or what stands for it when the request never named one (a malformed head).</summary>
    public string Target() => Host.Length == 0 ? "a request that named no host" : Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}";

    /// <summary>One line for a person: <c>pypi.org:443 allowed (151.101.0.223), 3.1 KiB out, 1.2 MiB in, 340 ms</c>.</summary>
    public string Describe() => Verdict switch
    {
        "refused" => $"{Target()} refused ({Rule})",
        "failed" => $"{Target()} failed ({Rule})",
        _ => $"{Target()} allowed ({Address}), {Units.ByteCount.Human(BytesOut)} out, {Units.ByteCount.Human(BytesIn)} in, {DurationMs:0} ms",
    };
}
