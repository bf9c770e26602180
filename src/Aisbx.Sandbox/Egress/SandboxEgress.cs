using System.Collections.Immutable;
using System.Net.Sockets;
using Aisbx.Core.Configuration;
using Aisbx.Core.Egress;
using Aisbx.Core.Policy;
using Aisbx.Core.Profiles;
using Aisbx.Core.Runs;
using Aisbx.Core.Security;

namespace Aisbx.Sandbox.Egress;

/// <summary>
/// One sandbox's egress, for as long as the sandbox lives: the proxy under the run's allowlist, the listening
/// sockets the launcher opened inside (taken the moment they arrive), an event for every connection, and what the
/// result document says about them.
/// </summary>
internal sealed class SandboxEgress : IDisposable
{
    private readonly EgressProxy _proxy;
    private readonly EgressPolicy _policy;
    private readonly RunEvents _events;
    private readonly string _sandboxId;
    private readonly string _profile;
    private int _disposed;
    private int _capReported;

    // What the result says, counted as connections end: the first ones listed, every one in the totals.
    private readonly Lock _tally = new();
    private readonly List<NetworkConnection> _listed = [];
    private int _total;
    private int _refused;
    private long _bytesOut;
    private long _bytesIn;

    private SandboxEgress(EgressPolicy policy, EgressSettings settings, RunEvents events, string sandboxId, string profile)
    {
        _policy = policy;
        _events = events;
        _sandboxId = sandboxId;
        _profile = profile;
        _proxy = new EgressProxy(new EgressOptions
        {
            Decide = (host, port) => policy.Decide(host, port) is { } refusal ? (refusal.Rule, refusal.Message) : null,
            Guard = new AddressGuard(settings.Exempt),
            Resolver = new SystemResolver(settings.Hosts.ToDictionary(h => h.Key, h => h.Value.ToArray(), StringComparer.OrdinalIgnoreCase)),
            MaxConnections = policy.MaxConnections,
            MaxBytes = policy.MaxBytes,
            ConnectTimeout = settings.ConnectTimeout,
            OnConnection = Publish,
        });
    }

    /// <returns>Null unless the run's network is an allowlist.</returns>
    public static SandboxEgress? For(ApprovedRun run, AisbxConfig config, RunEvents events, string sandboxId) =>
        run.Network == NetworkMode.Allowlist && run.Egress is { } policy
            ? new SandboxEgress(policy, config.Egress, events, sandboxId, run.Profile.Name)
            : null;

    /// <summary>Serves the listening sockets the launcher hands over (once, in one message), in the order of <see cref="EgressPorts.All"/>.</summary>
    public void Adopt(int[] descriptors)
    {
        for (var i = 0; i < descriptors.Length; i++)
        {
            var socket = new Socket(new SafeSocketHandle(descriptors[i], ownsHandle: true));
            if (i >= EgressPorts.All.Length)
            {
                socket.Dispose();
                continue;
            }

            _proxy.Serve(socket, EgressPorts.All[i] == EgressPorts.Http ? EgressProtocol.Http : EgressProtocol.Socks5);
        }
    }

    /// <summary>Ends every connection; call once the sandbox is gone, before <see cref="Report"/>. Idempotent.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _proxy.Dispose();
        }
    }

    public NetworkReport Report()
    {
        lock (_tally)
        {
            return new NetworkReport(NetworkModeText.Format(NetworkMode.Allowlist))
            {
                Allow = [.. _policy.Allow.Select(p => p.ToString())],
                Connections = [.. _listed],
                ConnectionsNotListed = _total - _listed.Count,
                Refused = _refused,
                BytesOut = _bytesOut,
                BytesIn = _bytesIn,
            };
        }
    }

    public ImmutableArray<LimitHit> LimitHits() =>
    [
        .. _proxy.ConnectionsLimitHit ? [LimitKind.EgressConnections.Hit(_policy.MaxConnections)] : Array.Empty<LimitHit>(),
        .. _proxy.BytesLimitHit ? [LimitKind.EgressBytes.Hit(_policy.MaxBytes)] : Array.Empty<LimitHit>(),
    ];

    private static NetworkConnection ToRecord(EgressConnection c) =>
        new(c.Protocol, c.Host, c.Port, c.Verdict, c.Rule, AddressOnly(c.Address), c.BytesOut, c.BytesIn, Math.Round(c.Duration.TotalMilliseconds, 3), c.Started);

    /// <summary>The port is the record's own field; the proxy names the endpoint it connected to.</summary>
    private static string? AddressOnly(string? endpoint) =>
        endpoint is not null && System.Net.IPEndPoint.TryParse(endpoint, out var parsed) ? parsed.Address.ToString() : endpoint;

    private void Publish(EgressConnection connection)
    {
        var record = ToRecord(connection);
        lock (_tally)
        {
            _total++;
            _refused += connection.Verdict == "refused" ? 1 : 0;
            _bytesOut += connection.BytesOut;
            _bytesIn += connection.BytesIn;
            if (_listed.Count < NetworkReport.MaxListed)
            {
                _listed.Add(record);
            }
        }

        var severity = connection.Verdict != "refused" ? Severity.Low
            : connection.Rule is { } rule && rule.StartsWith("address-", StringComparison.Ordinal) ? Severity.High
            : Severity.Medium;
        _events.PublishEgress(record, severity, _sandboxId, _profile);
        if (connection.Rule is EgressBudget.ConnectionsRule or EgressBudget.BytesRule && Interlocked.Exchange(ref _capReported, 1) == 0)
        {
            // Said once, as it happens (a live sandbox has no result of its own to carry it).
            _events.Publish(SecurityEventKind.LimitHit, connection.Rule, Severity.Low, "stopped", _sandboxId, _profile, count: true);
        }
    }
}
