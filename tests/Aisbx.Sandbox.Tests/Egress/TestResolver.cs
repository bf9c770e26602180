using System.Collections.Concurrent;
using System.Net;
using Aisbx.Sandbox.Egress;

namespace Aisbx.Sandbox.Tests.Egress;

/// <summary>
/// The name-to-address override: each name answers from its list of answers, one answer per call, the
/// last one repeated (so a name can answer A at the first call and B after, as a rebinding DNS does). Counts calls.
/// </summary>
internal sealed class TestResolver : IEgressResolver
{
    private readonly ConcurrentDictionary<string, IPAddress[][]> _answers = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, int> _calls = new(StringComparer.OrdinalIgnoreCase);

    public TestResolver Map(string name, params string[] addresses)
    {
        _answers[name] = [[.. addresses.Select(IPAddress.Parse)]];
        return this;
    }

    public TestResolver MapInTurn(string name, params IPAddress[][] answers)
    {
        _answers[name] = answers;
        return this;
    }

    public int Calls(string name) => _calls.GetValueOrDefault(name);

    public int TotalCalls => _calls.Values.Sum();

    public ValueTask<IPAddress[]> ResolveAsync(string host, CancellationToken ct)
    {
        var call = _calls.AddOrUpdate(host, 1, (_, n) => n + 1);
        if (!_answers.TryGetValue(host, out var answers))
            throw new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.HostNotFound);
        return ValueTask.FromResult(answers[Math.Min(call, answers.Length) - 1]);
    }
}
