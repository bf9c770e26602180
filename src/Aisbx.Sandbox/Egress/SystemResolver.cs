using System.Net;

namespace Aisbx.Sandbox.Egress;

/// <summary>
/// The host's resolver (<see cref="Dns.GetHostAddressesAsync(string, CancellationToken)"/>). An IP literal is
/// itself; a name in <paramref name="overrides"/> (the tests' name-to-address map) is answered from the map only.
/// </summary>
internal sealed class SystemResolver(IReadOnlyDictionary<string, IPAddress[]> overrides) : IEgressResolver
{
    public SystemResolver() : this(new Dictionary<string, IPAddress[]>())
    {
    }

    public async ValueTask<IPAddress[]> ResolveAsync(string host, CancellationToken ct)
    {
        foreach (var (name, addresses) in overrides)
        {
            if (string.Equals(name, host, StringComparison.OrdinalIgnoreCase))
                return addresses;
        }
        if (IPAddress.TryParse(host, out var literal))
            return [literal];
        return await Dns.GetHostAddressesAsync(host, ct);
    }
}
