using System.Net.Sockets;

namespace Aisbx.Sandbox.Egress;

/// <summary>The caps, then the dial, for a session whose target is known; the verdict is written on the session.</summary>
internal static class EgressAdmission
{
    /// <summary>The connected upstream (the session owns it), or null with the session's verdict, rule and message set.</summary>
    public static async Task<Socket?> DialAsync(
        EgressSession session, EgressDialer dialer, EgressBudget budget, EgressOptions options, CancellationToken closing)
    {
        var outcome = !session.Admitted
            ? DialOutcome.Refused(EgressBudget.ConnectionsRule,
                $"the sandbox has made its {options.MaxConnections} connections; start a new sandbox, or ask the operator for a higher cap")
            : budget.BytesLimitHit
                ? DialOutcome.Refused(EgressBudget.BytesRule,
                    $"the sandbox has relayed its {options.MaxBytes} bytes; start a new sandbox, or ask the operator for a higher cap")
                : await dialer.DialAsync(session.Host, session.Port, closing);

        session.Address = outcome.Endpoint;
        if (outcome.Upstream is { } upstream)
        {
            (session.Verdict, session.Rule) = ("allowed", null);
            // Not adopted: the proxy is closing and has closed it.
            return session.Adopt(upstream) ? upstream : throw new OperationCanceledException(closing);
        }
        (session.Verdict, session.Rule, session.Message, session.TimedOut) =
            (outcome.IsFailure ? "failed" : "refused", outcome.Rule, outcome.Message, outcome.TimedOut);
        return null;
    }
}
