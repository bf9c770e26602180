using System.Text;

namespace Aisbx.Sandbox.Output;

/// <summary>
/// Replaces the values of a run's secrets in its output with <c>[redacted:NAME]</c> before they reach the caller.
/// A value may arrive split across reads, so the last (longest value − 1) bytes wait for the next read, or for
/// <see cref="Flush"/> when the run is over.
/// </summary>
internal sealed class RedactingSink : OutputSink
{
    private readonly OutputSink _inner;
    private readonly (byte[] Value, byte[] Replacement)[] _secrets;
    private readonly int _holdBack;
    private byte[] _pending = [];

    public RedactingSink(OutputSink inner, IReadOnlyDictionary<string, string> secrets)
    {
        _inner = inner;
        _secrets = [.. secrets
            .Where(s => s.Value.Length > 0)
            .Select(s => (Encoding.UTF8.GetBytes(s.Value), Encoding.UTF8.GetBytes($"[redacted:{s.Key}]")))
            .OrderByDescending(s => s.Item1.Length)];
        _holdBack = _secrets.Length == 0 ? 0 : _secrets.Max(s => s.Value.Length) - 1;
    }

    protected override void WriteCore(ReadOnlySpan<byte> data)
    {
        var combined = new byte[_pending.Length + data.Length];
        _pending.CopyTo(combined, 0);
        data.CopyTo(combined.AsSpan(_pending.Length));
        var (clean, rest) = Redact(combined, _holdBack);
        _pending = rest;
        if (clean.Length > 0)
        {
            _inner.Write(clean);
        }
    }

    /// <summary>Passes on what was held back; call once the program's output has ended.</summary>
    public void Flush()
    {
        var (clean, _) = Redact(_pending, 0);
        _pending = [];
        if (clean.Length > 0)
        {
            _inner.Write(clean);
        }
    }

    /// <returns>The redacted bytes that are safe to pass on, and the unredacted tail to hold back.</returns>
    private (byte[] Clean, byte[] Held) Redact(byte[] data, int holdBack)
    {
        var output = new List<byte>(data.Length);
        var i = 0;
        var safeEnd = Math.Max(0, data.Length - holdBack);
        while (i < data.Length)
        {
            var matched = false;
            foreach (var (value, replacement) in _secrets)
            {
                if (i + value.Length <= data.Length && data.AsSpan(i, value.Length).SequenceEqual(value))
                {
                    output.AddRange(replacement);
                    i += value.Length;
                    matched = true;
                    break;
                }
            }

            if (matched)
            {
                continue;
            }

            if (i >= safeEnd)
            {
                break; // might be the start of a value that the next read completes
            }

            output.Add(data[i]);
            i++;
        }

        return ([.. output], data[i..]);
    }
}
