using System.Net;

namespace Aisbx.Sandbox.Egress;

/// <summary>Names to addresses, asked once per connection; the proxy connects only to what this answered.</summary>
internal interface IEgressResolver
{
    ValueTask<IPAddress[]> ResolveAsync(string host, CancellationToken ct);
}
