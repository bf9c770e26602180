using System.Buffers;
using System.Net.Sockets;

namespace Aisbx.Sandbox.Egress;

/// <summary>
/// One connection to the HTTP proxy: its head, read within the head timeout and parsed (<see cref="HttpProxyRequest"/>);
/// the dial (<see cref="EgressDialer"/>); then a tunnel (CONNECT) or one forwarded request, relayed.
/// </summary>
internal sealed class HttpProxySession(EgressSession session, EgressDialer dialer, EgressBudget budget, EgressOptions options)
{
    public async Task RunAsync(CancellationToken closing)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(HeadReader.MaxHead);
        try
        {
            var client = session.Client;
            HeadReader.Status status;
            int headLength, filled;
            using (var head = CancellationTokenSource.CreateLinkedTokenSource(closing))
            {
                head.CancelAfter(options.HeadTimeout);
                try
                {
                    (status, headLength, filled) = await HeadReader.ReadAsync(client, buffer, 0, head.Token);
                }
                catch (OperationCanceledException) when (!closing.IsCancellationRequested)
                {
                    await SocketIo.TryAnswerAsync(client, EgressAnswers.BadRequest(
                        $"the request head did not arrive within {options.HeadTimeout.TotalSeconds:0.#} s"), closing);
                    return;
                }
            }
            if (status == HeadReader.Status.Closed)
                return;
            if (status == HeadReader.Status.TooLarge)
            {
                await SocketIo.TryAnswerAsync(client, EgressAnswers.BadRequest($"the request head is larger than {HeadReader.MaxHead / 1024} KiB"), closing);
                return;
            }

            var request = HttpProxyRequest.Parse(buffer.AsSpan(0, headLength));
            if (request.Error is { } error)
            {
                await SocketIo.TryAnswerAsync(client, EgressAnswers.BadRequest(error), closing);
                return;
            }
            session.Protocol = request.IsConnect ? "connect" : "http";
            (session.Host, session.Port) = (request.Host, request.Port);

            if (await EgressAdmission.DialAsync(session, dialer, budget, options, closing) is not { } upstream)
            {
                await SocketIo.TryAnswerAsync(client, Answer(session), closing);
                return;
            }

            var outbound = session.Outbound;
            bool cut;
            if (request.IsConnect)
            {
                await SocketIo.SendAllAsync(client, EgressAnswers.Established, closing);
                if (filled > headLength && !await Relay.SendAsync(upstream, buffer.AsMemory(headLength, filled - headLength), outbound, budget, closing))
                    cut = true;
                else
                    cut = await Relay.RunAsync(client, upstream, outbound, session.Inbound, budget, null, untilUpstreamEnds: false, options.Splice, closing);
            }
            else
            {
                var early = buffer.AsMemory(headLength, filled - headLength);
                if (!await Relay.SendAsync(upstream, request.ForwardHead, outbound, budget, closing)
                    || (early.Length > 0 && !await Relay.SendAsync(upstream, early, outbound, budget, closing)))
                    cut = true;
                else
                    cut = await Relay.RunAsync(client, upstream, outbound, session.Inbound, budget, ForwardResponseHeadAsync, untilUpstreamEnds: true, options.Splice, closing);
            }
            if (cut)
                session.Rule = EgressBudget.BytesRule;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The answer for a connection that did not get an upstream: a refusal (403) or a failure (502/504).</summary>
    private static byte[] Answer(EgressSession session) =>
        session.Verdict == "failed"
            ? EgressAnswers.Failed(session.Target, session.Rule!, session.Message!, session.TimedOut)
            : EgressAnswers.Refused(session.Target, session.Rule!, session.Message!);

    /// <summary>Passes the upstream's response heads on, rewritten to close the connection, then lets the relay go on.</summary>
    private async Task<bool> ForwardResponseHeadAsync(Socket upstream, Socket client, Relay.Direction inbound, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(HeadReader.MaxHead);
        try
        {
            var filled = 0;
            while (true)
            {
                var (status, headLength, total) = await HeadReader.ReadAsync(upstream, buffer, filled, cancellationToken);
                if (status != HeadReader.Status.Complete || HttpResponseHead.Rewrite(buffer.AsSpan(0, headLength)) is not { } response)
                {
                    if (inbound.Bytes == 0)
                    {
                        var why = status == HeadReader.Status.Closed ? "closed the connection without a response" : "answered with a malformed response head";
                        await SocketIo.SendAllAsync(client, EgressAnswers.Failed(session.Target, "upstream-response", $"the server {why}", timedOut: false), cancellationToken);
                    }
                    return false;
                }
                if (!await Relay.SendAsync(client, response.Head, inbound, budget, cancellationToken))
                    return false;
                filled = total - headLength;
                buffer.AsSpan(headLength, filled).CopyTo(buffer);
                if (response.Status is < 100 or >= 200 || response.Status == 101)
                    break;
            }
            return filled == 0 || await Relay.SendAsync(client, buffer.AsMemory(0, filled), inbound, budget, cancellationToken);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
