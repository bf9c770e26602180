using Aisbx.Core.Runs;
using Aisbx.Core.Security;
using Aisbx.Service.Runs;
using Prometheus;

namespace Aisbx.Server;

/// <summary>
/// The server's Prometheus metrics, in a registry of their own: authentication failures, rate-limit hits,
/// violations by kind and severity, runs by profile and outcome, run durations, sandboxes running now, limit hits by
/// kind, suspensions. Fed by the security events and the runs. Every known label combination is there from the
/// first scrape, at 0, so that alerts on <c>rate()</c> and <c>increase()</c> see a series before its first event.
/// </summary>
public sealed class ServerMetrics : ISecurityEventSink, IRunObserver
{
    private readonly Counter _authFailures;
    private readonly Counter _rateLimitHits;
    private readonly Counter _violations;
    private readonly Counter _runs;
    private readonly Histogram _runDuration;
    private readonly Gauge _running;
    private readonly Counter _limitHits;
    private readonly Counter _suspensions;
    private readonly Gauge _sandboxesLive;
    private readonly Counter _sandboxesCreated;
    private readonly Counter _sandboxEnds;
    private readonly Counter _sandboxExecs;
    private readonly Counter _sandboxFileWrites;
    private readonly Counter _egressConnections;
    private readonly Counter _egressBytes;
    private readonly Gauge _poolReady;
    private readonly Counter _poolHits;
    private readonly Counter _poolMisses;
    private Sandbox.Pool.WarmPool? _pool;

    private const string Ok = "ok";
    private const string Failed = "failed";
    private const string TimedOut = "timeout";
    private const string Killed = "killed";

    /// <summary>How a run can end, as the <c>outcome</c> label says.</summary>
    public static IReadOnlyList<string> Outcomes { get; } = [Ok, Failed, TimedOut, Killed];

    private static readonly string[] ViolationKinds = ["seccomp"];
    private static readonly string[] SuspensionKinds = ["caller", "address"];
    private static readonly string[] EgressVerdicts = ["allowed", "refused", "failed"];

    /// <param name="profiles">The profiles known at start, whose run counters start at 0; others appear when first run.</param>
    public ServerMetrics(IEnumerable<string> profiles)
    {
        var factory = Metrics.WithCustomRegistry(Registry);
        _authFailures = factory.CreateCounter("aisbx_auth_failures_total", "Requests refused for a missing, wrong, revoked or expired API key.");
        _rateLimitHits = factory.CreateCounter("aisbx_rate_limit_hits_total", "Requests refused with 429 for going over a rate limit.");
        _violations = factory.CreateCounter("aisbx_security_violations_total", "Forbidden syscalls and other violations, by kind and severity.", "kind", "severity");
        _runs = factory.CreateCounter("aisbx_runs_total", "Runs by profile and outcome (ok, failed, timeout, killed).", "profile", "outcome");
        _runDuration = factory.CreateHistogram("aisbx_run_duration_seconds", "Wall-clock duration of runs.",
            new HistogramConfiguration { Buckets = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120] });
        _running = factory.CreateGauge("aisbx_sandboxes_running", "Sandboxes running now.");
        _limitHits = factory.CreateCounter("aisbx_limit_hits_total", "Resource limits reached, by kind.", "kind");
        _suspensions = factory.CreateCounter("aisbx_suspensions_total", "Addresses locked out and callers suspended, by kind.", "kind");
        _sandboxesLive = factory.CreateGauge("aisbx_sandboxes_live", "Live sandboxes open now.");
        _sandboxesCreated = factory.CreateCounter("aisbx_sandboxes_created_total", "Live sandboxes created.");
        _sandboxEnds = factory.CreateCounter("aisbx_sandbox_ends_total", "Live sandboxes ended, by reason (closed, idle, lifetime, server-stopped, violation, cpu-time, memory, agent-failed).", "reason");
        _sandboxExecs = factory.CreateCounter("aisbx_sandbox_execs_total", "Programs started in live sandboxes, by profile.", "profile");
        _sandboxFileWrites = factory.CreateCounter("aisbx_sandbox_file_writes_total", "Files written or removed in live sandboxes by callers.");
        _egressConnections = factory.CreateCounter("aisbx_egress_connections_total", "Connections through sandboxes' egress proxies, by verdict (allowed, refused, failed).", "verdict");
        _egressBytes = factory.CreateCounter("aisbx_egress_bytes_total", "Bytes through sandboxes' egress proxies, by direction (out: from the sandbox; in: to it).", "direction");
        _poolReady = factory.CreateGauge("aisbx_pool_ready", "Sandboxes of the warm pool started and waiting now, by profile.", "profile");
        _poolHits = factory.CreateCounter("aisbx_pool_hits_total", "One-shot runs that took a sandbox of the warm pool.");
        _poolMisses = factory.CreateCounter("aisbx_pool_misses_total", "One-shot runs that could not take a sandbox of the warm pool, by reason (" + string.Join(", ", Sandbox.Pool.PoolMiss.All) + ").", "reason");
        foreach (var reason in Sandbox.Pool.PoolMiss.All)
        {
            _poolMisses.WithLabels(reason);
        }

        Registry.AddBeforeCollectCallback(ReadPool);
        foreach (var verdict in EgressVerdicts)
        {
            _egressConnections.WithLabels(verdict);
        }

        _egressBytes.WithLabels("out");
        _egressBytes.WithLabels("in");
        foreach (var reason in Enum.GetValues<Core.Sandboxes.SandboxEnd>())
        {
            _sandboxEnds.WithLabels(Core.Sandboxes.SandboxEndText.Name(reason));
        }

        foreach (var kind in ViolationKinds)
        {
            foreach (var severity in Enum.GetValues<Severity>())
            {
                _violations.WithLabels(kind, severity.Name());
            }
        }

        foreach (var profile in profiles)
        {
            foreach (var outcome in Outcomes)
            {
                _runs.WithLabels(profile, outcome);
            }

            _sandboxExecs.WithLabels(profile);
        }

        foreach (var kind in LimitKind.All.Select(k => k.Name))
        {
            _limitHits.WithLabels(kind);
        }

        foreach (var kind in SuspensionKinds)
        {
            _suspensions.WithLabels(kind);
        }
    }

    public CollectorRegistry Registry { get; } = Metrics.NewCustomRegistry();

    public void Publish(SecurityEvent securityEvent)
    {
        switch (securityEvent.Kind)
        {
            case SecurityEventKind.Violation:
                _violations.WithLabels("seccomp", securityEvent.Severity.Name()).Inc();
                break;
            case SecurityEventKind.LimitHit:
                _limitHits.WithLabels(securityEvent.Detail).Inc();
                break;
            case SecurityEventKind.AuthFailure:
                _authFailures.Inc();
                break;
            case SecurityEventKind.RateLimited:
                _rateLimitHits.Inc();
                break;
            case SecurityEventKind.Lockout:
                _suspensions.WithLabels("caller").Inc();
                break;
            case SecurityEventKind.Suspension:
                _suspensions.WithLabels("address").Inc();
                break;
            case SecurityEventKind.SandboxCreated:
                _sandboxesCreated.Inc();
                _sandboxesLive.Inc();
                break;
            case SecurityEventKind.SandboxClosed or SecurityEventKind.SandboxExpired:
                _sandboxEnds.WithLabels(securityEvent.Action).Inc();
                _sandboxesLive.Dec();
                break;
            case SecurityEventKind.SandboxExec:
                _sandboxExecs.WithLabels(securityEvent.Profile).Inc();
                break;
            case SecurityEventKind.FileWrite:
                _sandboxFileWrites.Inc();
                break;
            case SecurityEventKind.Egress when securityEvent.Egress is { } connection:
                _egressConnections.WithLabels(connection.Verdict).Inc();
                _egressBytes.WithLabels("out").Inc(connection.BytesOut);
                _egressBytes.WithLabels("in").Inc(connection.BytesIn);
                break;
        }
    }

    public IDisposable Running()
    {
        _running.Inc();
        return new Decrement(_running);
    }

    public void Finished(RunResult result)
    {
        var outcome = result.TimedOut ? TimedOut
            : result.Violations.Any(v => v.Action == "killed") ? Killed
            : result.ExitCode == 0 ? Ok
            : Failed;
        _runs.WithLabels(result.Profile, outcome).Inc();
        _runDuration.Observe(result.DurationMs / 1000);
    }

    public void Pooled(string? missReason)
    {
        if (missReason is null)
        {
            _poolHits.Inc();
        }
        else
        {
            _poolMisses.WithLabels(missReason).Inc();
        }
    }

    /// <summary>The pool whose waiting sandboxes <c>aisbx_pool_ready</c> counts, read at each scrape.</summary>
    public void Watch(Sandbox.Pool.WarmPool pool) => _pool = pool;

    private void ReadPool()
    {
        foreach (var (profile, ready) in _pool?.Ready ?? [])
        {
            _poolReady.WithLabels(profile).Set(ready);
        }
    }

    public Task WriteAsync(Stream stream, CancellationToken cancellationToken) => Registry.CollectAndExportAsTextAsync(stream, cancellationToken);

    private sealed class Decrement(Gauge gauge) : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0)
            {
                gauge.Dec();
            }
        }
    }
}
