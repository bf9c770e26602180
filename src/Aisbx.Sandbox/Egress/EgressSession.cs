using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Aisbx.Sandbox.Egress;

/// <summary>
/// One accepted connection: its sockets (closed on every path: by its own end, or by <see cref="Abort"/> from the
/// proxy's Dispose), what it asked for, and what came of it.
/// </summary>
internal sealed class EgressSession(Socket client, bool admitted)
{
    private readonly Lock _gate = new();
    private readonly long _startedAt = Stopwatch.GetTimestamp();
    private Socket? _upstream;
    private bool _aborted;
    private int _recorded;

    public Socket Client { get; } = client;

    /// <summary>False when it came past the connections cap: it is answered with a refusal only.</summary>
    public bool Admitted { get; } = admitted;

    public DateTimeOffset Started { get; } = DateTimeOffset.UtcNow;

    public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Protocol { get; set; } = "http";
    public string Host { get; set; } = "";
    public int Port { get; set; }
    public string Verdict { get; set; } = "refused";
    public string? Rule { get; set; } = EgressAnswers.RequestRule;
    public IPEndPoint? Address { get; set; }

    /// <summary>A refusal's or failure's one line, for the answer (never recorded: the rule is).</summary>
    public string? Message { get; set; }

    public bool TimedOut { get; set; }
    public Relay.Direction Outbound { get; } = new();
    public Relay.Direction Inbound { get; } = new();

    public string Target => HostSyntax.Show(Host, Port);

    /// <summary>Takes the upstream socket; false (and it is closed) when the proxy is closing.</summary>
    public bool Adopt(Socket upstream)
    {
        lock (_gate)
        {
            if (_aborted)
            {
                upstream.Dispose();
                return false;
            }
            _upstream = upstream;
            return true;
        }
    }

    /// <summary>Closes both sockets now; whatever the session was waiting on ends with an error.</summary>
    public void Abort()
    {
        lock (_gate)
        {
            _aborted = true;
            Client.Dispose();
            _upstream?.Dispose();
        }
    }

    /// <summary>
    /// True for the one caller that records the session: its own end, or the proxy's Dispose for a session still
    /// open then (its continuation may be late on a busy thread pool; the record must not be).
    /// </summary>
    public bool ClaimRecord() => Interlocked.Exchange(ref _recorded, 1) == 0;

    public EgressConnection End()
    {
        Abort();
        return new EgressConnection(Protocol, Host, Port, Verdict, Rule, Address?.ToString(),
            Outbound.Bytes, Inbound.Bytes, Stopwatch.GetElapsedTime(_startedAt), Started);
    }
}
