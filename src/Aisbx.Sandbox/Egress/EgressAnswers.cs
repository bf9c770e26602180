using System.Text;

namespace Aisbx.Sandbox.Egress;

/// <summary>
/// The proxy's own HTTP answers, each closing the connection with a one-line body: a refusal (403, header
/// <c>X-Aisbx-Egress-Rule</c>), a network failure (502 or 504, header <c>X-Aisbx-Egress-Error</c>), a request it
/// cannot take (400). Only the target (already checked to be a host and a port) is ever echoed.
/// </summary>
internal static class EgressAnswers
{
    public const string RequestRule = "egress-request";

    public static readonly byte[] Established = "HTTP/1.1 200 Connection established\r\n\r\n"u8.ToArray();

    public static byte[] Refused(string target, string rule, string message) =>
        Answer("403 Forbidden", "X-Aisbx-Egress-Rule", rule, $"aisbx: egress to {target} refused ({rule}): {message}");

    public static byte[] Failed(string target, string kind, string message, bool timedOut) =>
        Answer(timedOut ? "504 Gateway Timeout" : "502 Bad Gateway", "X-Aisbx-Egress-Error", kind, $"aisbx: egress to {target} failed ({kind}): {message}");

    public static byte[] BadRequest(string message) =>
        Answer("400 Bad Request", "X-Aisbx-Egress-Rule", RequestRule, $"aisbx: egress request refused ({RequestRule}): {message}");

    private static byte[] Answer(string status, string header, string value, string line)
    {
        var body = OneLine(line) + "\n";
        var bytes = Encoding.UTF8.GetByteCount(body);
        return Encoding.UTF8.GetBytes(
            $"HTTP/1.1 {status}\r\n{header}: {OneLine(value)}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {bytes}\r\nConnection: close\r\n\r\n{body}");
    }

    // A policy's message comes from elsewhere: it must not be able to end the line or the head.
    private static string OneLine(string text) =>
        string.Create(text.Length, text, (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
                span[i] = char.IsControl(source[i]) ? ' ' : source[i];
        });
}
