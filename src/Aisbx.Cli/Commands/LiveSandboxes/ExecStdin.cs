using System.Text;
using Aisbx.Sandbox;

namespace Aisbx.Cli.Commands.LiveSandboxes;

/// <summary>
/// The CLI's stdin, for an exec: read whole when it is not a terminal (a pipe, a file), bounded by what one request
/// to the server carries, and text only, because the REST field <c>stdin</c> is a JSON string.
/// </summary>
internal static class ExecStdin
{
    /// <summary>Kestrel's limit on a request body in aisbx-mcp (<c>HttpTransport.MaxRequestBodyBytes</c>).</summary>
    public const int MaxRequestBytes = 4 << 20;

    /// <returns>Null for a terminal, or a stdin that is not the caller's (it was closed).</returns>
    /// <exception cref="SandboxRefusal">It is over the bound, or it is not UTF-8.</exception>
    public static string? Read(string id)
    {
        if (!Console.IsInputRedirected)
        {
            return null;
        }

        using var stdin = CallerDescriptors.Stdin();
        if (stdin is null)
        {
            return null;
        }

        var bytes = ReadAtMost(stdin, MaxRequestBytes + 1);
        if (bytes.Length > MaxRequestBytes)
        {
            throw TooLarge(id);
        }

        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new SandboxRefusal("stdin-text",
                $"stdin is not UTF-8 text, and the server takes an exec's stdin as text (rule stdin-text): copy the data in with 'aisbx sandbox cp - {id}:input.bin' and read it there (sh -c 'PROGRAM < input.bin')");
        }
    }

    public static SandboxRefusal TooLarge(string id) =>
        new("stdin-size",
            $"stdin is over the {MaxRequestBytes >> 20} MiB that one request to the server carries (rule stdin-size): copy it in as files ('aisbx sandbox cp FILE {id}:input', in parts under {MaxRequestBytes >> 20} MiB) and read them there, e.g. sh -c 'cat input* | PROGRAM'; or pass --no-stdin");

    private static byte[] ReadAtMost(Stream stream, int limit)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[64 << 10];
        while (buffer.Length < limit)
        {
            var read = stream.Read(chunk, 0, (int)Math.Min(chunk.Length, limit - buffer.Length));
            if (read == 0)
            {
                break;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
