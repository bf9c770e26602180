using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace Aisbx.Sandbox.Egress;

/// <summary>
/// Refuses every address that is not public: the reserved ranges (<see cref="ReservedRanges"/>, IPv4 carried in
/// IPv6 checked as IPv4) and the host's own addresses. <paramref name="exempt"/> networks pass anyway: an
/// operator's explicit choice (and the tests' loopback servers).
/// </summary>
internal sealed class AddressGuard(IReadOnlyList<IPNetwork> exempt, Func<IReadOnlyCollection<IPAddress>> hostAddresses)
{
    public const string ReservedRule = "address-reserved";
    public const string HostOwnRule = "address-host-own";

    // The host's addresses can change (DHCP, an interface coming up); reading them costs a few hundred µs.
    private static readonly TimeSpan HostAddressesMaxAge = TimeSpan.FromSeconds(5);
    private readonly Lock _gate = new();
    private HashSet<IPAddress> _own = [];
    private long? _ownReadAt;

    public AddressGuard(IReadOnlyList<IPNetwork> exempt) : this(exempt, InterfaceAddresses)
    {
    }

    /// <summary>
    /// Null when <paramref name="address"/> may be reached, else (rule, a message that names the range:
    /// <c>169.254.169.254 in 169.254.0.0/16 (link-local)</c>).
    /// </summary>
    public (string Rule, string Message)? Check(IPAddress address)
    {
        var asked = address;
        if (address.IsIPv4MappedToIPv6)
            address = address.MapToIPv4();
        if (address.AddressFamily == AddressFamily.InterNetworkV6 && address.ScopeId != 0)
            address = new IPAddress(address.GetAddressBytes());
        if (IsExempt(address))
            return null;
        if (OwnAddresses().Contains(address))
            return (HostOwnRule, $"{asked}, one of the host's own addresses");
        if (address.AddressFamily == AddressFamily.InterNetwork)
            return CheckV4(address, asked);
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
            return (ReservedRule, $"{address} (not an IP address)");

        foreach (var (network, name) in ReservedRanges.V6)
        {
            if (network.Contains(address))
                return (ReservedRule, $"{address} in {network} ({name})");
        }
        foreach (var (network, name, offset) in ReservedRanges.Embedding)
        {
            if (!network.Contains(address))
                continue;
            var embedded = new IPAddress(address.GetAddressBytes().AsSpan(offset, 4));
            if (IsExempt(embedded))
                return null;
            if (OwnAddresses().Contains(embedded))
                return (HostOwnRule, $"{address} (carrying {embedded}), one of the host's own addresses");
            return CheckV4(embedded, address);
        }
        return null;
    }

    private static (string Rule, string Message)? CheckV4(IPAddress v4, IPAddress asked)
    {
        if (v4.Equals(IPAddress.Broadcast))
            return (ReservedRule, $"{Shown(v4, asked)} in 255.255.255.255/32 (broadcast)");
        foreach (var (network, name) in ReservedRanges.V4)
        {
            if (network.Contains(v4))
                return (ReservedRule, $"{Shown(v4, asked)} in {network} ({name})");
        }
        return null;
    }

    private static string Shown(IPAddress v4, IPAddress asked) => asked.Equals(v4) ? $"{v4}" : $"{asked} (carrying {v4})";

    private bool IsExempt(IPAddress address)
    {
        foreach (var network in exempt)
        {
            if (network.Contains(address))
                return true;
        }
        return false;
    }

    private HashSet<IPAddress> OwnAddresses()
    {
        lock (_gate)
        {
            var now = Environment.TickCount64;
            if (_ownReadAt is not { } readAt || now - readAt >= HostAddressesMaxAge.TotalMilliseconds)
            {
                _own = [.. hostAddresses().Select(a => a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : new IPAddress(a.GetAddressBytes()))];
                _ownReadAt = now;
            }
            return _own;
        }
    }

    private static IReadOnlyCollection<IPAddress> InterfaceAddresses()
    {
        try
        {
            return [.. NetworkInterface.GetAllNetworkInterfaces()
                .SelectMany(i => i.GetIPProperties().UnicastAddresses)
                .Select(u => u.Address)];
        }
        catch (NetworkInformationException)
        {
            return [];
        }
    }
}
