using System.Net;
using System.Net.Sockets;

namespace Aisbx.Sandbox.Egress;

/// <summary>
/// The decision for one connection, in this order: the policy by name and port, one resolution, every answer
/// through the guard (one reserved answer refuses the name: split answers and rebinding), then a connection to
/// the checked addresses only, in order, within the connect timeout. The name is never resolved again.
/// </summary>
internal sealed class EgressDialer(EgressOptions options)
{
    public async Task<DialOutcome> DialAsync(string host, int port, CancellationToken cancellationToken)
    {
        if (options.Decide(host, port) is { } refusal)
            return DialOutcome.Refused(refusal.Rule, refusal.Message);

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.ConnectTimeout);
        var addresses = HostSyntax.AsLiteral(host) is { } literal ? [literal] : await ResolveAsync(host, deadline.Token, cancellationToken);
        if (addresses is null)
            return DialOutcome.Failed("dns-timeout", $"{host} did not resolve within {options.ConnectTimeout.TotalSeconds:0.#} s", timedOut: true);
        if (addresses.Length == 0)
            return DialOutcome.Failed("dns", $"{host} does not resolve");

        foreach (var address in addresses)
        {
            if (options.Guard.Check(address) is { } reserved)
            {
                // The host's own addresses are not told to the sandbox.
                var message = reserved.Rule == AddressGuard.HostOwnRule ? "one of the host's own addresses" : reserved.Message;
                if (HostSyntax.AsLiteral(host) is null)
                    message = $"{host} resolves to {message}";
                return DialOutcome.Refused(reserved.Rule, message, new IPEndPoint(address, port));
            }
        }
        return await ConnectAsync(host, port, addresses, deadline.Token, cancellationToken);
    }

    /// <summary>The answers; empty when the name does not resolve; null on the deadline.</summary>
    private async Task<IPAddress[]?> ResolveAsync(string host, CancellationToken deadline, CancellationToken cancellationToken)
    {
        try
        {
            return await options.Resolver.ResolveAsync(host, deadline);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
        catch (SocketException)
        {
            return [];
        }
        catch (ArgumentException)
        {
            return [];
        }
    }

    private static async Task<DialOutcome> ConnectAsync(
        string host, int port, IPAddress[] addresses, CancellationToken deadline, CancellationToken cancellationToken)
    {
        var last = DialOutcome.Failed("unreachable", $"{host}:{port} is unreachable");
        foreach (var address in addresses)
        {
            var endpoint = new IPEndPoint(address, port);
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(endpoint, deadline);
                return DialOutcome.Connected(socket, endpoint);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                socket.Dispose();
                return DialOutcome.Failed("connect-timeout", $"{endpoint} did not answer within the connect timeout", timedOut: true, endpoint);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                last = e.SocketErrorCode == SocketError.ConnectionRefused
                    ? DialOutcome.Failed("connect-refused", $"{endpoint} refused the connection", endpoint: endpoint)
                    : DialOutcome.Failed("unreachable", $"{endpoint} is unreachable ({e.SocketErrorCode})", endpoint: endpoint);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        return last;
    }
}
