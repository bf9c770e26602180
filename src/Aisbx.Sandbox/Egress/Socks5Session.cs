using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Aisbx.Sandbox.Egress;

/// <summary>
/// One SOCKS5 connection (RFC 1928): no authentication, CONNECT only, to a name (resolved here: socks5h), an IPv4
/// or an IPv6 address. Replies: 0x02 for a refusal, 0x04 or 0x05 for a network failure, 0x07 and 0x08 for what it
/// does not support. The reply's bound address is always 0.0.0.0:0 (the host's addresses are not told).
/// </summary>
internal sealed class Socks5Session(EgressSession session, EgressDialer dialer, EgressBudget budget, EgressOptions options)
{
    private const byte Version = 5;
    private const byte NoAuthentication = 0, NoAcceptableMethods = 0xFF;
    private const byte Connect = 1;
    private const byte AtypIPv4 = 1, AtypDomain = 3, AtypIPv6 = 4;
    private const byte Succeeded = 0, GeneralFailure = 1, NotAllowed = 2, HostUnreachable = 4, ConnectionRefused = 5,
        CommandNotSupported = 7, AddressTypeNotSupported = 8;

    public async Task RunAsync(CancellationToken closing)
    {
        session.Protocol = "socks5";
        var client = session.Client;
        using (var head = CancellationTokenSource.CreateLinkedTokenSource(closing))
        {
            head.CancelAfter(options.HeadTimeout);
            try
            {
                if (!await NegotiateAsync(client, head.Token))
                    return;
            }
            catch (OperationCanceledException) when (!closing.IsCancellationRequested)
            {
                return;
            }
        }

        if (await EgressAdmission.DialAsync(session, dialer, budget, options, closing) is not { } upstream)
        {
            var code = session.Verdict != "failed" ? NotAllowed : session.Rule == "connect-refused" ? ConnectionRefused : HostUnreachable;
            await SocketIo.TryAnswerAsync(client, Reply(code), closing);
            return;
        }
        await SocketIo.SendAllAsync(client, Reply(Succeeded), closing);
        if (await Relay.RunAsync(client, upstream, session.Outbound, session.Inbound, budget, null, untilUpstreamEnds: false, options.Splice, closing))
            session.Rule = EgressBudget.BytesRule;
    }

    /// <summary>The greeting and the request; true with the session's target set, false once answered and done.</summary>
    private async Task<bool> NegotiateAsync(Socket client, CancellationToken cancellationToken)
    {
        var buffer = new byte[256];
        if (!await SocketIo.ReadExactlyAsync(client, buffer.AsMemory(0, 2), cancellationToken) || buffer[0] != Version || buffer[1] == 0)
            return false;
        var methods = buffer[1];
        if (!await SocketIo.ReadExactlyAsync(client, buffer.AsMemory(0, methods), cancellationToken))
            return false;
        if (buffer.AsSpan(0, methods).IndexOf(NoAuthentication) < 0)
        {
            await SocketIo.TryAnswerAsync(client, new byte[] { Version, NoAcceptableMethods }, cancellationToken);
            return false;
        }
        await SocketIo.SendAllAsync(client, new byte[] { Version, NoAuthentication }, cancellationToken);

        if (!await SocketIo.ReadExactlyAsync(client, buffer.AsMemory(0, 4), cancellationToken) || buffer[0] != Version || buffer[2] != 0)
            return false;
        var (command, atyp) = (buffer[1], buffer[3]);
        string? host;
        switch (atyp)
        {
            case AtypIPv4:
                if (!await SocketIo.ReadExactlyAsync(client, buffer.AsMemory(0, 4), cancellationToken))
                    return false;
                host = new IPAddress(buffer.AsSpan(0, 4)).ToString();
                break;
            case AtypIPv6:
                if (!await SocketIo.ReadExactlyAsync(client, buffer.AsMemory(0, 16), cancellationToken))
                    return false;
                host = new IPAddress(buffer.AsSpan(0, 16)).ToString();
                break;
            case AtypDomain:
                if (!await SocketIo.ReadExactlyAsync(client, buffer.AsMemory(0, 1), cancellationToken))
                    return false;
                var length = buffer[0];
                if (!await SocketIo.ReadExactlyAsync(client, buffer.AsMemory(0, length), cancellationToken))
                    return false;
                host = HostSyntax.Normalize(Encoding.Latin1.GetString(buffer, 0, length));
                break;
            default:
                await SocketIo.TryAnswerAsync(client, Reply(AddressTypeNotSupported), cancellationToken);
                return false;
        }
        if (!await SocketIo.ReadExactlyAsync(client, buffer.AsMemory(0, 2), cancellationToken))
            return false;
        var port = BinaryPrimitives.ReadUInt16BigEndian(buffer);
        if (host is null || port == 0)
        {
            await SocketIo.TryAnswerAsync(client, Reply(GeneralFailure), cancellationToken);
            return false;
        }
        (session.Host, session.Port) = (host, port);
        if (command != Connect)
        {
            await SocketIo.TryAnswerAsync(client, Reply(CommandNotSupported), cancellationToken);
            return false;
        }
        return true;
    }

    private static byte[] Reply(byte code) => [Version, code, 0, AtypIPv4, 0, 0, 0, 0, 0, 0];
}
